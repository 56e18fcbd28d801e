import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Starts mongo-java-server as a stand-in MongoDB for local development.
 *
 * <p>Usage: {@code java -cp '<mongo-java-server jars>/*:<dir of this class>' MongoLauncher [host] [port] [data file]}
 * (defaults 127.0.0.1 27017). With a data file the H2 backend keeps every database in it across
 * restarts; without one the in-memory backend is used. Used by scripts/stack.sh; Java 11+.
 *
 * <ul>
 *   <li>Advertises MongoDB 6.0 / maxWireVersion 17: the Node driver 7 (mongoose 9) refuses servers
 *       older than that, and mongo-java-server's own {@code ServerVersion} enum stops at 5.0 / wire 8.
 *       {@code MongoVersion} is a plain interface, so a custom value is handed to
 *       {@code AbstractMongoBackend.version(...)}, which is what hello/isMaster and buildInfo report.</li>
 *   <li>Answers the {@code hello} command (MongoDB 4.4+ name of {@code isMaster}), which
 *       mongo-java-server 1.47 only knows as {@code isMaster}: drivers send it when a Stable API
 *       version is set, and code may call it directly.</li>
 *   <li>Enables the oplog ({@code MongoServer.enableOplog()}), which change streams need, only
 *       when MONGO_OPLOG=true and with the in-memory backend (uncapped: it holds every write).</li>
 *   <li>Prints one "ready" line on stdout once bound; SIGTERM/SIGINT shut it down cleanly.</li>
 * </ul>
 *
 */
public final class MongoLauncher {

    /** The MongoDB version this server claims to be. Wire version 17 is MongoDB 6.0. */
    static final MongoVersion ADVERTISED = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(6, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 17;
        }
    };

    private MongoLauncher() {
    }

    /** {@code hello} answered like {@code isMaster}, with hello's field names. */
    static Document hello(String databaseName, Document query, Command isMaster) {
        Document asIsMaster = new Document("isMaster", 1);
        for (Map.Entry<String, Object> entry : query.entrySet()) {
            if (!"hello".equalsIgnoreCase(entry.getKey())) {
                asIsMaster.put(entry.getKey(), entry.getValue());
            }
        }
        Document response = isMaster.handle(databaseName, "isMaster", asIsMaster);
        Object primary = response.remove("ismaster");
        Document reordered = new Document("isWritablePrimary", primary != null ? primary : Boolean.TRUE);
        reordered.putAll(response);
        return reordered;
    }

    /** The backend's own command handler (the superclass method of each backend below). */
    interface Command {
        Document handle(String databaseName, String command, Document query);
    }

    /** In-memory backend: fast, gone when the process stops. */
    static final class MemoryWithHello extends MemoryBackend {
        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            if (!"hello".equalsIgnoreCase(command)) {
                return super.handleCommand(channel, databaseName, command, query);
            }
            return hello(databaseName, query, (db, c, q) -> super.handleCommand(channel, db, c, q));
        }
    }

    /**
     * H2 MVStore backend: every database in one file. The store commits in the background
     * (MVStore's auto-commit, about once a second) and on a clean shutdown, so a stop keeps
     * everything and a kill -9 loses at most the last second of writes.
     */
    static final class H2WithHello extends H2Backend {
        H2WithHello(String file) {
            super(file);
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            if (!"hello".equalsIgnoreCase(command)) {
                return super.handleCommand(channel, databaseName, command, query);
            }
            return hello(databaseName, query, (db, c, q) -> super.handleCommand(channel, db, c, q));
        }
    }

    public static void main(String[] args) throws InterruptedException {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 27017;

        String dataFile = args.length > 2 ? args[2] : null;

        AbstractMongoBackend backend;
        try {
            backend = dataFile == null ? new MemoryWithHello() : new H2WithHello(dataFile);
        } catch (RuntimeException e) {
            System.err.println("mongo-java-server: cannot open the data file " + dataFile + ": " + e.getMessage()
                    + " (another server may be using it; 'scripts/stack.sh down --clean' wipes it)");
            System.exit(1);
            return;
        }
        backend.version(ADVERTISED);

        MongoServer server = new MongoServer(backend);
        if (dataFile == null && "true".equals(System.getenv("MONGO_OPLOG"))) {
            // Opt-in (MONGO_OPLOG=true), memory backend only: the oplog is not capped, so it keeps
            // every write in the heap for the server's life (about 2 GB after a million events,
            // which filled the default -Xmx3g heap and stalled the server), and it costs the H2
            // backend about half its write speed. Nothing in Reverie uses change streams (writes
            // are idempotent and ordered by key instead).
            server.enableOplog();
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("mongo-java-server: shutting down");
            try {
                server.shutdownNow();
            } finally {
                stopped.countDown();
            }
        }, "mongo-shutdown"));

        try {
            server.bind(host, port);
        } catch (RuntimeException e) {
            System.err.println("mongo-java-server: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            System.exit(1);
        }
        System.out.println("mongo-java-server ready on " + host + ":" + port
                + " (MongoDB " + ADVERTISED.toVersionString() + ", maxWireVersion " + ADVERTISED.getWireVersion()
                + (dataFile == null ? ("true".equals(System.getenv("MONGO_OPLOG")) ? ", oplog enabled" : "") + ", in-memory)" : ", data in " + dataFile + ")"));
        System.out.flush();
        stopped.await();
    }
}
