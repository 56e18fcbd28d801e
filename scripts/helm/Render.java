import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * `helm template` and `helm lint` without a helm binary: helm-java runs Helm's own Go engine as a
 * native library. Run by scripts/helm-template.sh (java -cp <helm-java jars> Render.java ...).
 *
 *   Render template <chart dir> [--name N] [--namespace NS] [--kube-version V] [-f values.yaml]... [--set k=v]...
 *   Render lint <chart dir>
 *
 * Prints the rendered YAML (template) or Helm's lint messages to stdout; exits 1 with Helm's
 * message on stderr when the chart does not render or lint finds an error, 2 on bad arguments.
 */
public class Render {
  static final String DEFAULT_KUBE_VERSION = "v1.31.0";

  public static void main(String[] args) {
    if (args.length < 2 || !(args[0].equals("template") || args[0].equals("lint"))) {
      usage("expected: template|lint <chart dir> [options]");
    }
    Path chart = Paths.get(args[1]).toAbsolutePath();
    try {
      if (args[0].equals("lint")) {
        lint(chart, args);
      } else {
        System.out.print(template(chart, args).call());
      }
    } catch (RuntimeException e) {
      System.err.println("helm " + args[0] + " failed: " + e.getMessage());
      System.exit(1);
    }
  }

  private static TemplateCommand template(Path chart, String[] args) {
    // Helm's template default is Kubernetes v1.20, older than the chart's kubeVersion allows.
    TemplateCommand cmd =
        new Helm(chart).template().withName("reverie").withKubeVersion(DEFAULT_KUBE_VERSION);
    for (int i = 2; i < args.length; i++) {
      String option = args[i];
      String value = i + 1 < args.length ? args[++i] : usage(option + " needs a value");
      switch (option) {
        case "--name" -> cmd.withName(value);
        case "--namespace" -> cmd.withNamespace(value);
        case "--kube-version" -> cmd.withKubeVersion(value);
        case "-f", "--values" -> cmd.withValuesFile(Paths.get(value).toAbsolutePath());
        case "--set" -> {
          int eq = value.indexOf('=');
          if (eq < 1) usage("--set takes key=value, got " + value);
          cmd.set(value.substring(0, eq), value.substring(eq + 1));
        }
        default -> usage("unknown option " + option);
      }
    }
    return cmd;
  }

  private static void lint(Path chart, String[] args) {
    // helm-java's lint takes no values file: it lints with the chart's own values.yaml.
    if (args.length > 2) usage("lint takes only the chart dir");
    var result = new Helm(chart).lint().strict().call();
    result.getMessages().forEach(System.out::println);
    if (result.isFailed()) System.exit(1);
  }

  private static String usage(String problem) {
    System.err.println("Render: " + problem);
    System.err.println(
        "usage: Render template <chart> [--name N] [--namespace NS] [--kube-version V] [-f values.yaml]... [--set k=v]...");
    System.err.println("       Render lint <chart>");
    System.exit(2);
    return null;
  }
}
