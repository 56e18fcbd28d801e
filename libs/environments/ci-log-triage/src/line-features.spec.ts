import { computeLineFeatures } from './line-features';

describe('computeLineFeatures', () => {
  const failLines = [
    'Compiling',
    '[ERROR] Foo.java:[3,1] cannot find symbol',
    '\tat a.b.C.m(C.java:12)',
    '    at a.b.C.n (C.java:13)',
    '',
    'BUILD FAILURE',
  ];
  const f = computeLineFeatures({ failLines, passLines: ['Compiling  '] });

  it('marks markers, stack frames, blanks and lines pass.log has', () => {
    expect(f.map((x) => x.isMarker)).toEqual([false, true, false, false, false, true]);
    expect(f.map((x) => x.isStackFrame)).toEqual([false, false, true, true, false, false]);
    expect(f.map((x) => x.isBlank)).toEqual([false, false, false, false, true, false]);
    expect(f.map((x) => x.inPassLog)).toEqual([true, false, false, false, false, false]);
  });

  it('measures position, indentation and distance to markers', () => {
    expect(f.map((x) => x.distanceAfterMarker)).toEqual([Infinity, 0, 1, 2, 3, 0]);
    expect(f.map((x) => x.distanceBeforeMarker)).toEqual([1, 0, 3, 2, 1, 0]);
    expect(f.map((x) => x.indent)).toEqual([0, 0, 1, 4, 0, 0]);
    expect(f[5]).toMatchObject({ lineNumber: 6, fromEnd: 0, relativePosition: 1 });
    expect(f[0]).toMatchObject({ lineNumber: 1, fromEnd: 5, relativePosition: 0 });
  });

  it('measures the distance to the nearest marker pass.log does not have, either side', () => {
    const g = computeLineFeatures({
      failLines: ['[ERROR] old', 'x', '[ERROR] new', 'y', 'z', '[ERROR] old'],
      passLines: ['[ERROR] old'],
    });
    expect(g.map((x) => x.distanceToFreshMarker)).toEqual([2, 1, 0, 1, 2, 3]);
    expect(computeLineFeatures({ failLines: ['a'], passLines: [] })[0].distanceToFreshMarker).toBe(
      Infinity,
    );
  });

  it('finds error blocks: a marker and its continuation lines, fresh when pass.log lacks a marker', () => {
    const g = computeLineFeatures({
      failLines: [
        '[INFO] Compiling',
        '[ERROR] Foo.java:[4,26] cannot access Bar',
        '[ERROR]   bad class file: x.jar',
        '    class file has wrong version 55.0',
        '[INFO] 1 error',
        'java.io.IOException: disk full',
        '\tat a.b.C.m(C.java:12)',
        '',
        '\tat a.b.C.n(C.java:13)',
        'Caused by: java.lang.Error: boom',
        '[ERROR] old news',
        'done',
      ],
      passLines: ['[INFO] Compiling', '[ERROR] old news', '[INFO] 1 error'],
    });
    expect(g.map((x) => x.isContinuation)).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
      true,
      false,
      true,
      true,
      false,
      false,
    ]);
    expect(g.map((x) => x.inErrorBlock)).toEqual([
      false,
      true,
      true,
      true,
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(g.map((x) => x.inFreshBlock)).toEqual([
      false,
      true,
      true,
      true,
      false,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(g.map((x) => x.blockOffset)).toEqual([
      Infinity,
      0,
      1,
      2,
      Infinity,
      0,
      1,
      2,
      3,
      4,
      0,
      Infinity,
    ]);
    expect(g.map((x) => x.distanceToFreshBlock)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2]);
  });

  it('finds error runs: consecutive marker and continuation lines, bridging an exception message before its frames', () => {
    const g = computeLineFeatures({
      failLines: [
        '[INFO] BUILD FAILURE',
        '[INFO] ----',
        '[ERROR] Failed to execute goal x on project y',
        '[ERROR] ',
        '[ERROR] Re-run Maven using the -X switch',
        'java.lang.AssertionError: ',
        '',
        'Expected: a value greater than <0>',
        '     but: <0> was equal to <0>',
        '\tat a.b.C.m(C.java:12)',
        'Tests run: 3',
        'FATAL: channel closed',
        'one',
        'two',
        'three',
        'four',
        '\tat a.b.C.n(C.java:13)',
        '[ERROR] old news',
        '[ERROR] ',
      ],
      passLines: ['[ERROR] ', '[ERROR] Re-run Maven using the -X switch', '[ERROR] old news'],
    });
    // The Maven paragraph and the assertion with its message and frame are one run of 8 lines;
    // four lines before a frame are more than a message, so the FATAL line stands alone.
    expect(g.map((x) => x.runLength)).toEqual([
      1, 0, 8, 8, 8, 8, 8, 8, 8, 8, 0, 1, 0, 0, 0, 0, 0, 2, 2,
    ]);
    expect(g.map((x) => x.inFreshRun)).toEqual([
      true,
      false,
      ...Array(8).fill(true),
      false,
      true,
      ...Array(7).fill(false),
    ]);
  });

  it('continues a run over a blank line inside an indented report (Jest, pytest), not past its end', () => {
    const g = computeLineFeatures({
      failLines: [
        'PASS src/cart.test.ts',
        'FAIL src/price.test.ts',
        '  ● price › rounds half up to two decimals',
        '',
        '    expect(received).toBe(expected) // Object.is equality',
        '',
        '    Expected: "10.35"',
        '    Received: "10.34"',
        '',
        '      at Object.<anonymous> (src/price.test.ts:14:23)',
        '',
        'PASS src/format.test.ts',
        '',
        'Test Suites: 1 failed, 2 passed, 3 total',
      ],
      passLines: ['PASS src/cart.test.ts', 'PASS src/price.test.ts', 'PASS src/format.test.ts'],
    });
    // From the FAIL line to the frame, blanks included; the blank after the frame ends it, as
    // the next line is not indented.
    expect(g.map((x) => x.runLength)).toEqual([0, ...Array(9).fill(9), 0, 0, 0, 0]);
    expect(g.slice(1, 10).every((x) => x.inFreshRun)).toBe(true);
  });

  it("continues a run over a compiler's numbered source excerpt (rustc, gcc), not over a numbered line elsewhere", () => {
    const g = computeLineFeatures({
      failLines: [
        '   Compiling widgets v0.3.0',
        'error[E0308]: mismatched types',
        '  --> src/inventory.rs:42:24',
        '   |',
        '42 |         let count: u32 = self.items.len();',
        '   |                    ---   ^^^^^^^^^^^^^^^^ expected `u32`, found `usize`',
        '',
        'src/main.c:7:9: error: incompatible types',
        '    7 |   int x = "a";',
        '      |           ^~~',
        '',
        '12 | a table row after a blank line',
      ],
      passLines: [],
    });
    // The first line is indented cargo progress, a continuation as before.
    const expected = [true, false, true, true, true, true, false, false, true, true, false, true];
    expect(g.map((x) => x.isContinuation)).toEqual(expected);
    expect(g.map((x) => x.runLength)).toEqual([0, 5, 5, 5, 5, 5, 0, 3, 3, 3, 0, 0]);
  });

  it("does not take lines after a colon that ends a line inside another's report", () => {
    const g = computeLineFeatures({
      failLines: [
        '--- FAIL: TestHandler (0.00s)',
        '    handler_test.go:88: ',
        '        \tError:      \tNot equal: ',
        '        \t            \texpected: 400',
        'FAIL',
        'ok  \tgithub.com/acme/widgets/store\t0.398s',
      ],
      passLines: [],
    });
    expect(g.map((x) => x.runLength)).toEqual([5, 5, 5, 5, 5, 0]);
  });

  it('takes a box-drawn table after a marker for no continuation, and no bash warning for a marker', () => {
    const g = computeLineFeatures({
      failLines: [
        'ERROR: 2 packages are vulnerable',
        '│ name │ severity │',
        './build.sh: line 10: warning: here-document at line 4 delimited by end-of-file',
        'error-prone 2.3 applied',
        'error Command failed with exit code 1.',
      ],
      passLines: [],
    });
    expect(g.map((x) => x.isContinuation)).toEqual([false, false, false, false, false]);
    expect(g.map((x) => x.isMarker)).toEqual([true, false, false, false, true]);
  });

  it("continues a run over a code frame's `> 18 |` line and rustc's `help:`; begins it at a lone location line", () => {
    const g = computeLineFeatures({
      failLines: [
        'Failed to compile.', // 1
        './src/app/products/[slug]/page.tsx:18:37', // 2
        "Type error: Property 'priceCents' does not exist on type 'Product'.", // 3
        '', // 4
        '  17 |', // 5
        '> 18 |   const price = formatPrice(product.priceCents);', // 6
        '     |                                     ^', // 7
        '  19 |   return (', // 8
        'Next.js build worker exited with code: 1', // 9
        'error: empty line after doc comment', // 10
        '  --> src/config.rs:17:1', // 11
        '   = help: if the empty line is unintentional remove it', // 12
        'help: elide the lifetimes', // 13
        "42 + impl fmt::Display for Token<'_> {", // 14
        'helpers: 3', // 15
      ],
      passLines: [],
    });
    expect(g.map((x) => x.runLength)).toEqual([0, 7, 7, 7, 7, 7, 7, 7, 0, 4, 4, 4, 4, 0, 0]);
  });

  it("continues a run over gcc's notes and Terraform's framed report; begins it at gcc's include context", () => {
    const g = computeLineFeatures({
      failLines: [
        '[ 22%] Building CXX object src/varint.cpp.o',
        'In file included from /src/codec/varint.cpp:1:',
        "/src/codec/varint.h:14:1: error: 'uint32_t' does not name a type",
        '   14 | uint32_t decode_u32(std::string_view buf);',
        "/src/codec/varint.h:5:1: note: 'uint32_t' is defined in header '<cstdint>'",
        '  +++ |+#include <cstdint>',
        'gmake[2]: Leaving directory',
        '╷',
        '│ Error: Invalid for_each argument',
        '│ ',
        '│   on iam.tf line 31, in resource "aws_iam_role_policy_attachment" "extra":',
        '╵',
      ],
      passLines: [],
    });
    expect(g.map((x) => x.runLength)).toEqual([0, 5, 5, 5, 5, 5, 0, 0, 3, 3, 3, 0]);
    const fresh = [false, true, true, true, true, true, false, false, true, true, true, false];
    expect(g.map((x) => x.inFreshRun)).toEqual(fresh);
  });

  it('takes the lines a marker announces with a closing colon, up to a blank or tagged line', () => {
    const g = computeLineFeatures({
      failLines: [
        "thread 'quadkey::roundtrip' panicked at src/quadkey.rs:142:9:",
        'assertion `left == right` failed',
        '  left: 1',
        ' right: 2',
        '',
        'error during build:',
        '[vite]: Rollup failed to resolve import "@/ui/Tooltip" from "src/pages/Product.vue".',
        'This is most likely unintended because it can break your application at runtime.',
        'If you do want to externalize this module explicitly add it to',
        '`build.rollupOptions.external`',
        '',
        // Announced after a line the run already joined: git lists the files, then says why.
        'error: Your local changes to the following files would be overwritten by merge:',
        '\tsrc/app.ts',
        'Please commit your changes or stash them before you merge.',
        'Aborting',
        '',
        '[ERROR] COMPILATION ERROR :',
        '[INFO] -------------------------------------------------------------',
        'tail',
        '',
        'ERROR: Step failed:',
        '[Pipeline] }',
      ],
      passLines: [],
    });
    expect(g.map((x) => x.runLength)).toEqual([
      ...[4, 4, 4, 4, 0],
      ...[5, 5, 5, 5, 5, 0],
      ...[4, 4, 4, 4, 0],
      ...[1, 0, 0, 0],
      ...[1, 0],
    ]);
  });

  it("begins a run at pytest's pointer to the failing statement, not at other `>` lines", () => {
    const g = computeLineFeatures({
      failLines: [
        '    def test_div():',
        '>       assert div(1, 0) == 0',
        'E       ZeroDivisionError: division by zero',
        '',
        '> Task :core:compileJava FAILED',
        '>       not followed by an error',
        'ok',
      ],
      passLines: [],
    });
    expect(g.map((x) => x.runLength)).toEqual([0, 2, 2, 0, 1, 0, 0]);
    expect(g.map((x) => x.inFreshRun)).toEqual([false, true, true, false, true, false, false]);
  });

  it('marks what Gradle says under `* What went wrong:` (not the heading), up to a blank line or the next heading', () => {
    const failLines = [
      'FAILURE: Build completed with 2 failures.',
      '',
      '1: Task failed with an exception.',
      '-----------',
      '* What went wrong:',
      "Execution failed for task ':app:test'.",
      '> There were failing tests. See the report at: file:///w/app/build/reports/index.html',
      '',
      '* Try:',
      '> Run with --stacktrace option to get the stack trace.',
      '',
      '2: Task failed with an exception.',
      '-----------',
      '* What went wrong:',
      "Could not resolve all files for configuration ':lib:compileClasspath'.",
      '   > Could not find com.acme:widgets:1.2.',
      '* Try:',
      '> Run with --info or --debug option to get more log output.',
    ];
    const g = computeLineFeatures({ failLines, passLines: ['BUILD SUCCESSFUL in 3s'] });
    const marked = g.filter((x) => x.isMarker).map((x) => x.lineNumber);
    // The status line (a marker word), the two sections' prose and its causes; not the headings,
    // not Gradle's advice under `* Try:`.
    expect(marked).toEqual([1, 6, 7, 15, 16]);
    expect(g.map((x) => x.runLength)).toEqual([
      1, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 0,
    ]);
    expect(g[5].inFreshRun && g[14].inFreshRun).toBe(true);
    // The same words outside such a section are not markers.
    const plain = computeLineFeatures({
      failLines: ["Execution failed for task ':app:test'.", '> There were failing tests.'],
      passLines: [],
    });
    expect(plain.map((x) => x.isMarker)).toEqual([false, false]);
  });

  it('counts repeated lines and compares lines with pass.log by shape (numbers masked)', () => {
    const g = computeLineFeatures({
      failLines: ['[INFO] Total time: 2.831 s', 'x failed', '  x failed', 'Build 5f3e2a9c1 failed'],
      passLines: ['[INFO] Total time: 20.7 s', 'Build 0a1b2c3d4 passed'],
    });
    expect(g.map((x) => x.repeats)).toEqual([1, 2, 2, 1]);
    expect(g.map((x) => x.inPassLog)).toEqual([false, false, false, false]);
    expect(g.map((x) => x.shapeInPassLog)).toEqual([true, false, false, false]);
  });

  it('marks the stretches of new lines that say trouble: a fresh marker, a word of trouble, a source location', () => {
    const g = computeLineFeatures({
      passLines: ['Run tests', 'Done', 'BUILD FAILED'],
      failLines: [
        'Run tests', // 1: pass.log has it
        'Permissions: read', // 2: new, says nothing wrong
        'Actions: read',
        'Run tests',
        'Done',
        'natural cubic: Test Failed at interp.jl:47', // 6: no marker, a word of trouble
        '  Expression: s(2.5) == 6.25',
        '',
        '  Evaluated: 6.24 == 6.25', // 9: a blank line bridged
        'Done', // 10: one old line bridged between two new ones
        '  Stacktrace: [1] macro expansion',
        'Done',
        'Done',
        '  LongParameterList - 8/7 - at Invoice.kt:12:5', // 14: a source location
        'Done',
        'Done',
        'E: Package foo has no installation candidate', // 17: a fresh marker
        'Done',
        'Done',
        'Error: Process completed with exit code 1.', // 20: no more than a status line
        'BUILD FAILED', // pass.log has it
      ],
    });
    expect(g[19].isStatusLine).toBe(true);
    expect(g.flatMap((x, i) => (x.inMarkedNews ? [i + 1] : []))).toEqual([6, 7, 9, 10, 11, 14, 17]);
  });
});

describe('isStatusLine', () => {
  // Each: [line, does it only report a status or exit code]. The lines that name what failed,
  // or why, are not status lines, whichever words they share with one.
  const LINES: Array<[string, boolean]> = [
    ['[INFO] BUILD FAILURE', true],
    ['BUILD FAILED in 15s', true],
    ['BUILD FAILED', true],
    ['FAILURE: Build failed with an exception.', true],
    ['Finished: FAILURE', true],
    ['Finished: SUCCESS', false],
    ['##[error]Process completed with exit code 1.', true],
    ['ERROR: script returned exit code 1', true],
    ['ERROR: Job failed: exit code 1', true],
    ["##[error]Bash exited with code '1'.", true],
    ['The command "mvn test" exited with 1.', true],
    [
      'ERROR: failed to solve: process "/bin/sh -c apt-get update && apt-get install -y libssl1.1" did not complete successfully: exit code: 100',
      false,
    ],
    ['make: *** [Makefile:12: test] Error 2', false],
    ['[ERROR] Tests run: 8, Failures: 1, Errors: 0, Skipped: 0 <<< FAILURE! - in a.BTest', false],
    ['[INFO] core ........................................ FAILURE [  8.818 s]', false],
    ["Build step 'Execute shell' marked build as failure", false],
    ['hudson.plugins.git.GitException: Command "git fetch" returned status code 128:', false],
    [
      '[ERROR] Failed to execute goal x:y:1:z on project p: exit code 1 was not expected, see log',
      false,
    ],
    ['** TEST FAILED **', true],
    ['** BUILD FAILED **', true],
    ['error: could not compile `tokenflow` (lib test) due to 3 previous errors', true],
    ['error: the following explicit lifetimes could be elided', false],
    ['Stage "Deploy to staging" skipped due to earlier failure(s)', true],
    [
      'Build step Upload SARIF (Command Line) is skipped because the previous step has failed',
      true,
    ],
    ['Process exited with code 2 (Step: Detekt (Command Line))', true],
    ['Step Detekt (Command Line) failed', true],
    ['@acme/web:format:check: ERROR: command (/builds/acme/web) pnpm run check exited (1)', true],
    ['Step 3/7 : RUN make', false],
    [
      'ERROR: build step 0 "gcr.io/cloud-builders/npm" failed: step exited with non-zero status: 1',
      true,
    ],
    ['[Container] 2024/05/14 10:22:40.1 Phase complete: BUILD State: FAILED', true],
    ['Failing task since return code of [mvn test] was 1 while expected 0', true],
  ];
  it.each(LINES)('%s -> %s', (line, status) => {
    const [f] = computeLineFeatures({ failLines: [line], passLines: [] });
    expect(f.isStatusLine).toBe(status);
  });
});

describe('DEFAULT_MARKERS on failure output of tools other than Maven', () => {
  // Each: [line, is it a marker]. Shapes as these tools print them; none is in the bundled logs.
  const SHAPES: Record<string, Array<[string, boolean]>> = {
    pytest: [
      ['tests/test_a.py::test_sum PASSED', false],
      ['    def test_div():', false],
      ['>       assert div(1, 0) == 0', false],
      ['E       ZeroDivisionError: division by zero', true],
      ['FAILED tests/test_a.py::test_div - ZeroDivisionError', true],
    ],
    'go test': [
      ['=== RUN   TestSum', false],
      ['--- FAIL: TestDiv (0.00s)', true],
      ['    div_test.go:12: want 0, got 1', false],
      ['panic: runtime error: integer divide by zero [recovered]', true],
      ['ok  \texample.com/sum\t0.004s', false],
    ],
    jest: [
      ['PASS src/sum.test.ts', false],
      ['FAIL src/div.test.ts', true],
      ['  ✕ divides by zero (3 ms)', true],
      ['    TypeError: Cannot read properties of undefined', true],
      ['Tests:       1 failed, 4 passed, 5 total', false],
    ],
    cargo: [
      ['   Compiling demo v0.1.0 (/src)', false],
      ['error[E0308]: mismatched types', true],
      ["thread 'main' panicked at src/main.rs:3:5:", true],
      ['test result: ok. 3 passed; 0 failed', false],
    ],
    'go build, gcc, flake8': [
      ['# example.com/shipyard/internal/dispatch', false],
      ['internal/dispatch/router.go:58:12: undefined: RetryPolicy', true],
      ["src/main.c:3:5: warning: unused variable 'x' [-Wunused-variable]", false],
      ['src/main.c:9:1: note: declared here', false],
      ['app/views.py:12:80: E501 line too long (88 > 79 characters)', true],
      ['app/db.py:40: DeprecationWarning: datetime.utcnow() is deprecated', false],
      // pytest's long traceback: where each frame is, not a diagnostic.
      ['src/app/client.py:94: ', false],
      ['.venv/lib/python3.11/site-packages/httpx/_client.py:1054: in get', false],
      ['See https://example.com:8080/docs: the guide', false],
    ],
    'eslint (stylish)': [
      ['/home/runner/work/app/src/widgets/Chart.tsx', false],
      ["   3:20  error    'useMemo' is defined but never used  no-unused-vars", true],
      ['  41:6   warning  React Hook useEffect has a missing dependency', false],
    ],
    'tsc, npm, make': [
      ['src/a.ts(3,7): error TS2304: Cannot find name x.', true],
      ['npm ERR! code ELIFECYCLE', true],
      ['make: *** [Makefile:12: all] Error 2', true],
      ['make[1]: Leaving directory /src', false],
      ['Found 0 errors. Watching for file changes.', false],
    ],
    'git, a shell, apt, kotlinc, yarn, curl, PHPUnit': [
      ["fatal: could not read Username for 'https://github.com': terminal prompts disabled", true],
      ['hint: Using the default branch name', false],
      ['./deploy.sh: line 12: kubectl: command not found', true],
      ['echo "check the command not found handler"', false],
      ['./scripts/deploy.sh: line 41: ./scripts/lib/cdn.sh: No such file or directory', true],
      ['Package libssl1.1 is not available, but is referred to by another package.', false],
      ["E: Package 'libssl1.1' has no installation candidate", true],
      ['e: file:///src/server/Routes.kt:42:37 Unresolved reference: findAllByOwner', true],
      ["w: file:///src/core/Markdown.kt:27:33 Parameter 'strict' is never used", false],
      ['error Command failed with exit code 1.', true],
      ['errors: 0, warnings: 2', false],
      [
        'curl: (28) Operation timed out after 60002 milliseconds with 0 out of 0 bytes received',
        true,
      ],
      ['Failed asserting that 34.5 is identical to 30.0.', true],
    ],
    'numbered failure entries (PHPUnit, RSpec, Mocha)': [
      ['1) App\\Tests\\Unit\\DiscountResolverTest::testStackedCoupons', true],
      ['  2) Widget#render shows the price', true],
      ['Step 1) done', false],
      ['(1) first option', false],
    ],
    sbt: [
      ['[error] /src/main/scala/Pricing.scala:12:5: type mismatch;', true],
      ['[error] Failed tests:', true],
      ['[warn] one warning found', false],
      ['[info] - should apply a fixed discount (4 milliseconds)', false],
    ],
    'assertion details (Dart, Hamcrest, NUnit, Jest, googletest)': [
      ['  Expected: <18.0>', true],
      ['    Actual: <18.000000000000004>', true],
      ['  But was:  5', true],
      ['    Received: "b"', true],
      ['Expected equality of these values:', true],
      ['Expected output matches the snapshot', false],
      ['expected 5 items', false],
    ],
    'flutter test': [
      ['00:03 +4: test/cart_test.dart: Cart totals applies percentage discount', false],
      ['00:03 +4 -1: test/cart_test.dart: Cart totals applies percentage discount [E]', true],
      ['══╡ EXCEPTION CAUGHT BY FLUTTER TEST FRAMEWORK ╞═══════════', true],
      ['array[E] = 3', false],
    ],
    'xcodebuild (XCTest)': [
      ["Test Case '-[CoreTests.DecodingTests testDecodes]' passed (0.004 seconds).", false],
      ["Test Case '-[CoreTests.DecodingTests testHourly]' failed (0.019 seconds).", true],
      ['Failing tests:', true],
      ['\tDecodingTests.testHourly()', false],
    ],
    'structured logs (JSON, logfmt)': [
      ['{"level":"fatal","ts":"2024-06-13T08:21:44Z","msg":"invalid configuration"}', true],
      ['{"severity": "ERROR", "message": "db down"}', true],
      ['{"level":"info","msg":"listening"}', false],
      ['time=2024-06-13T08:21:44Z level=error msg="bind: address already in use"', true],
      ['time=2024-06-13T08:21:44Z level=info msg=ready', false],
    ],
  };

  it.each(Object.keys(SHAPES))(
    '%s: marks the lines that report the failure, not the rest',
    (tool) => {
      const lines = SHAPES[tool];
      const f = computeLineFeatures({ failLines: lines.map(([l]) => l), passLines: [] });
      expect(f.map((x) => [x.text, x.isMarker])).toEqual(lines);
    },
  );
});
