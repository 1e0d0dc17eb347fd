using ModelZoo.Cli;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// The command line fuzzed: for options of every command a wrong type, an out-of-range number, an empty string, and a
/// path that is a file, a folder or missing. Each case: the documented exit code (2 usage, 1 runtime), one line that
/// names the option or the file, no stack trace, and nothing written (not into the output folder, not next to the inputs).
/// </summary>
[NonParallelizable]
public class BadArgumentTests
{
    private CliFixture _f = null!;

    [OneTimeSetUp]
    public void SetUp() => _f = new CliFixture();

    [OneTimeTearDown]
    public void TearDown() => _f.Dispose();

    private const int U = ExitCodes.Usage, F = ExitCodes.Failure;
    private static readonly string[] Train = ["train", "--model", "deepcnn", "--data", "mnist-sample", "-o", "{out}/run"];
    private static readonly string[] Eval = ["evaluate", "--checkpoint", "{ckpt}", "-o", "{out}/eval"];
    private static readonly string[] Export = ["export", "--checkpoint", "{ckpt}"];
    private static readonly string[] Import = ["import-weights", "--model", "deepcnn", "--weights", "{ckpt}"];
    private static readonly string[] Experiment = ["experiment", "optimizers", "-o", "{out}/exp"];
    private static readonly string[] LrFind = ["lr-find", "--model", "deepcnn", "--data", "mnist-sample", "-o", "{out}/lr"];

    private static TestCaseData Case(int code, string names, string[] head, params string[] tail) =>
        new TestCaseData(code, names, head.Concat(tail).ToArray()).SetName($"{head[0]} {string.Join(' ', tail).Replace('.', '_')} -> {code}");

    public static IEnumerable<TestCaseData> Cases()
    {
        // train: wrong types, out of range, empty values
        yield return Case(U, "--epochs", Train, "--epochs", "abc");
        yield return Case(U, "--epochs", Train, "--epochs", "0");
        yield return Case(U, "--epochs", Train, "--epochs", "-3");
        yield return Case(U, "--epochs", Train, "--epochs", "99999999999");
        yield return Case(U, "--epochs", Train, "--epochs", "");
        yield return Case(U, "--epochs", Train, "--epochs", "1.5");
        yield return Case(U, "--epochs", Train, "--epochs");
        yield return Case(U, "--batch-size", Train, "--batch-size", "many");
        yield return Case(U, "--batch-size", Train, "--batch-size", "0");
        yield return Case(U, "--lr", Train, "--lr", "abc");
        yield return Case(U, "--lr", Train, "--lr", "-1");
        yield return Case(U, "--lr", Train, "--lr", "");
        yield return Case(U, "--lr", Train, "--lr", "nan");
        yield return Case(U, "--lr", Train, "--lr", "1e999");
        yield return Case(U, "--weight-decay", Train, "--weight-decay", "x");
        yield return Case(U, "--momentum", Train, "--momentum", "fast");
        yield return Case(U, "--optimizer", Train, "--optimizer", "rmsprop");
        yield return Case(U, "--optimizer", Train, "--optimizer", "");
        yield return Case(U, "--schedule", Train, "--schedule", "linear");
        yield return Case(U, "--warmup-epochs", Train, "--warmup-epochs", "two");
        yield return Case(U, "--init", Train, "--init", "zeros");
        yield return Case(U, "--label-smoothing", Train, "--label-smoothing", "x");
        yield return Case(U, "--dropout", Train, "--dropout", "1.5");
        yield return Case(U, "--dropout", Train, "--dropout", "half");
        yield return Case(U, "--augment", Train, "--augment", "foo");
        yield return Case(U, "did you mean 'imagenet'", Train, "--augment", "imagnet");
        yield return Case(U, "--image-size", Train, "--image-size", "4");
        yield return Case(U, "--image-size", Train, "--image-size", "big");
        yield return Case(U, "--val-split", Train, "--val-split", "1");
        yield return Case(U, "--val-split", Train, "--val-split", "x");
        yield return Case(U, "--seed", Train, "--seed", "x");
        yield return Case(U, "--device", Train, "--device", "");
        yield return Case(U, "tpu", Train, "--device", "tpu");
        yield return Case(U, "--threads", Train, "--threads", "0");
        yield return Case(U, "--threads", Train, "--threads", "100000");
        yield return Case(U, "--channels-last", Train, "--channels-last", "--no-channels-last");
        yield return Case(U, "--workers", Train, "--workers", "-1");
        yield return Case(U, "--early-stop", Train, "--early-stop", "0");
        yield return Case(U, "--on-bad-image", Train, "--on-bad-image", "maybe");
        yield return Case(U, "--max-steps", Train, "--max-steps", "0");
        yield return Case(U, "--max-bad-fraction", Train, "--max-bad-fraction", "2");
        yield return Case(U, "--max-bad-fraction", Train, "--max-bad-fraction", "x");
        yield return Case(U, "--progress-interval", Train, "--progress-interval", "0");
        yield return Case(U, "--json", Train, "--json=maybe");
        // train: typos and unknown names
        yield return Case(U, "did you mean '--epochs'", Train, "--epoch", "3");
        yield return Case(U, "did you mean '--model'", ["train"], "--modle", "deepcnn", "--data", "mnist-sample");
        yield return Case(U, "did you mean '--batch-size'", Train, "--batch", "3");
        yield return Case(U, "did you mean 'resnet50'", ["train"], "--model", "resnet5", "--data", "mnist-sample", "-o", "{out}/run");
        yield return Case(U, "did you mean 'vgg16_bn'", ["train"], "--model", "vgg16bn", "--data", "mnist-sample", "-o", "{out}/run");
        yield return Case(U, "--model", ["train"], "--model", "", "--data", "mnist-sample");
        yield return Case(U, "--model", ["train"], "--model", "--data", "mnist-sample");
        yield return Case(U, "'extra'", Train, "extra");
        // train: paths
        yield return Case(U, "--pretrained", Train, "--pretrained", "{missing}");
        yield return Case(U, "--pretrained", ["train"], "--resume", "{dir}", "--pretrained", "{file}");
        yield return Case(F, "{missing}", ["train"], "--resume", "{missing}");
        yield return Case(F, "{file}", ["train"], "--resume", "{file}");
        yield return Case(F, "{dir}", ["train"], "--resume", "{dir}");
        yield return Case(F, "{file}", ["train", "-m", "deepcnn", "-d", "mnist-sample"], "-o", "{file}");
        yield return Case(F, "{file}", ["train", "-m", "deepcnn", "-d", "mnist-sample"], "-o", "{file}/sub");
        yield return Case(F, "{missing}", ["train", "-m", "deepcnn", "-d", "mnist-sample"], "-o", "{missing}/sub");
        yield return Case(U, "--resume {dir}", ["train", "-m", "deepcnn", "-d", "mnist-sample"], "-o", "{dir}");
        yield return Case(U, "--output", ["train", "-m", "deepcnn", "-d", "mnist-sample"], "-o", "");
        yield return Case(U, "is a folder", Train, "--pretrained", "{dir}");
        yield return Case(U, "did you mean 'mnist-sample'", ["train", "--model", "deepcnn", "-o", "{out}/run"], "--data", "mnist-sampel");
        yield return Case(U, "{missing}", ["train", "--model", "deepcnn", "-o", "{out}/run"], "--data", "{missing}");
        yield return Case(U, "is a file", ["train", "--model", "deepcnn", "-o", "{out}/run"], "--data", "{file}");
        // train: the training techniques' options
        yield return Case(U, "--clip-grad", Train, "--clip-grad", "abc");
        yield return Case(U, "--clip-grad", Train, "--clip-grad", "0");
        yield return Case(U, "--accum-steps", Train, "--accum-steps", "0");
        yield return Case(U, "--ema", Train, "--ema", "2");
        yield return Case(U, "--mixup", Train, "--mixup", "-1");
        yield return Case(U, "--mix-prob", Train, "--mix-prob", "1.5");
        yield return Case(U, "--lr-backbone", Train, "--lr-backbone", "x");
        yield return Case(U, "{missing}", ["train"], "--config", "{missing}", "-o", "{out}/run");
        yield return Case(U, "is a folder", ["train"], "--config", "{dir}", "-o", "{out}/run");
        // evaluate
        yield return Case(U, "--checkpoint", ["evaluate"], "--data", "mnist-sample");
        yield return Case(F, "{missing}", ["evaluate"], "--checkpoint", "{missing}", "-o", "{out}/eval");
        yield return Case(F, "{file}", ["evaluate"], "--checkpoint", "{file}", "-o", "{out}/eval");
        yield return Case(F, "{dir}", ["evaluate"], "--checkpoint", "{dir}", "-o", "{out}/eval");
        yield return Case(U, "--batch-size", Eval, "--batch-size", "0");
        yield return Case(U, "--batch-size", Eval, "--batch-size", "abc");
        yield return Case(U, "--threads", Eval, "--threads", "0");
        yield return Case(U, "--val-split", Eval, "--val-split", "2");
        yield return Case(U, "--seed", Eval, "--seed", "x");
        yield return Case(U, "--seed", Eval, "--seed", "99999999999");
        yield return Case(U, "did you mean '--checkpoint'", ["evaluate"], "--chekpoint", "{ckpt}");
        yield return Case(F, "{file}", ["evaluate", "--checkpoint", "{ckpt}"], "-o", "{file}");
        yield return Case(U, "{dir}", ["evaluate", "--checkpoint", "{ckpt}"], "-o", "{dir}");
        yield return Case(F, "{missing}", ["evaluate", "--checkpoint", "{ckpt}"], "-o", "{missing}/sub");
        yield return Case(U, "--data", Eval, "--data", "{missing}");
        yield return Case(U, "did you mean 'fashion-mnist'", Eval, "--data", "fashion-mnst");
        // predict and embed (argument level)
        yield return Case(U, "IMAGE", ["predict"], "--checkpoint", "{ckpt}");
        yield return Case(U, "--top", ["predict", "--checkpoint", "{ckpt}", "{file}"], "--top", "0");
        yield return Case(U, "--top", ["predict", "--checkpoint", "{ckpt}", "{file}"], "--top", "abc");
        yield return Case(U, "--checkpoint", ["predict"], "{file}");
        yield return Case(F, "{missing}", ["predict"], "--checkpoint", "{missing}", "{file}");
        yield return Case(U, "--checkpoint", ["embed"], "{file}");
        yield return Case(U, "--threads", ["embed", "--checkpoint", "{ckpt}", "{file}"], "--threads", "100000");
        yield return Case(U, "--precision", ["embed", "--checkpoint", "{ckpt}", "{file}"], "--precision", "fp8");
        yield return Case(U, "--output", ["predict", "--checkpoint", "{ckpt}", "{file}"], "--output", "{ckpt}");
        yield return Case(U, "--device", ["predict", "--onnx", "{file}", "{file}"], "--device", "cuda");
        yield return Case(F, "{missing}", ["embed"], "--checkpoint", "{ckpt}", "{missing}");
        yield return Case(U, "did you mean '--json'", ["embed", "--checkpoint", "{ckpt}", "{file}"], "--jsn");
        // export
        yield return Case(U, "--output", Export);
        yield return Case(U, "--format", Export, "--format", "tflite", "-o", "{out}/m.tflite");
        yield return Case(U, "--opset", Export, "--opset", "abc", "-o", "{out}/m.onnx");
        yield return Case(U, "--opset", Export, "--opset", "99", "-o", "{out}/m.onnx");
        yield return Case(U, "--overwrite", Export, "-o", "{file}");
        yield return Case(F, "{out}", Export, "-o", "{out}");
        yield return Case(F, "{missing}", Export, "-o", "{missing}/m.onnx");
        yield return Case(F, "{file}", Export, "-o", "{file}/m.onnx");
        yield return Case(F, "{missing}", ["export"], "--checkpoint", "{missing}", "-o", "{out}/m.onnx");
        yield return Case(U, "--checkpoint", ["export"], "-o", "{out}/m.onnx");
        yield return Case(U, "--checkpoint", ["quantize"], "-o", "{out}/m.onnx");
        yield return Case(F, "{missing}", ["quantize"], "--checkpoint", "{missing}", "-o", "{out}/q.onnx");
        yield return Case(U, "--method", ["quantize", "--checkpoint", "{ckpt}", "-o", "{out}/q.onnx"], "--method", "kl");
        yield return Case(U, "--samples", ["quantize", "--checkpoint", "{ckpt}", "-o", "{out}/q.onnx"], "--samples", "0");
        // import-weights
        yield return Case(U, "--model", ["import-weights"], "--weights", "{ckpt}", "-o", "{out}/x.ckpt");
        yield return Case(U, "--weights", ["import-weights"], "--model", "deepcnn", "--weights", "{missing}", "-o", "{out}/x.ckpt");
        yield return Case(U, "did you mean 'resnet50'", ["import-weights"], "--model", "resnet5", "--weights", "{ckpt}", "-o", "{out}/x.ckpt");
        yield return Case(U, "is a folder", ["import-weights"], "--model", "deepcnn", "--weights", "{dir}", "-o", "{out}/x.ckpt");
        yield return Case(U, "{file}", Import, "-o", "{file}");
        yield return Case(F, "{out}", Import, "-o", "{out}");
        yield return Case(F, "{missing}", Import, "-o", "{missing}/x.ckpt");
        yield return Case(U, "--classes", Import, "-o", "{out}/x.ckpt", "--classes", "0");
        yield return Case(U, "--classes", Import, "-o", "{out}/x.ckpt", "--classes", "ten");
        // inspect and list
        yield return Case(U, "--input", ["inspect", "--model", "resnet18"], "--input", "3x224");
        yield return Case(U, "--input", ["inspect", "--model", "resnet18"], "--input", "");
        yield return Case(U, "--classes", ["inspect", "--model", "resnet18"], "--classes", "abc");
        yield return Case(U, "--model", ["inspect"], "--model", "");
        yield return Case(U, "did you mean 'resnet50'", ["inspect"], "--model", "resnet5");
        yield return Case(U, "did you mean '--state-dict'", ["inspect", "--model", "resnet18"], "--statedict");
        yield return Case(U, "--bogus", ["list"], "--bogus");
        yield return Case(U, "'extra'", ["list"], "extra");
        // experiment
        yield return Case(U, "did you mean 'optimizers'", ["experiment", "optimisers"], "-o", "{out}/exp");
        yield return Case(U, "--epochs", Experiment, "--epochs", "0");
        yield return Case(U, "--max-steps", Experiment, "--max-steps", "abc");
        yield return Case(U, "--batch-size", Experiment, "--batch-size", "0");
        yield return Case(U, "--dropout", Experiment, "--dropout", "1.5");
        yield return Case(U, "--threads", Experiment, "--threads", "0");
        yield return Case(U, "{missing}", Experiment, "--data", "{missing}");
        yield return Case(F, "{file}", ["experiment", "depth"], "-o", "{file}");
        yield return Case(U, "{dir}", ["experiment", "augment"], "-o", "{dir}");
        yield return Case(U, "did you mean '--epochs'", Experiment, "--epoch", "2");
        // report
        yield return Case(U, "{missing}", ["report", "{missing}"]);
        yield return Case(U, "is a file", ["report", "{file}"]);
        yield return Case(F, "{out}", ["report", "{out}"]);
        yield return Case(F, "{missing}", ["report", "{dir}"], "-o", "{missing}/r.html");
        yield return Case(U, "did you mean '--output'", ["report", "{dir}"], "--outptu", "x.html");
        // lr-find
        yield return Case(U, "--start-lr", LrFind, "--start-lr", "0");
        yield return Case(U, "--end-lr", LrFind, "--start-lr", "1", "--end-lr", "0.1");
        yield return Case(U, "--steps", LrFind, "--steps", "2");
        yield return Case(U, "--optimizer", LrFind, "--optimizer", "rmsprop");
        yield return Case(U, "--model", ["lr-find", "--data", "mnist-sample"], "-o", "{out}/lr");
        yield return Case(U, "did you mean 'resnet50'", ["lr-find", "--data", "mnist-sample", "-o", "{out}/lr"], "--model", "resnet5");
        yield return Case(F, "{file}", ["lr-find", "-m", "deepcnn", "-d", "mnist-sample"], "-o", "{file}");
        // commands
        // weights (a branch: list, download)
        yield return Case(U, "--json", ["weights", "list"], "--json=maybe");
        yield return Case(U, "--sha256", ["weights", "download", "resnet50"], "--sha256");
        yield return Case(U, "did you mean 'resnet50'", ["weights", "download"], "resnet5O");
        yield return Case(U, "did you mean 'download'", ["weights", "downlaod"], "resnet50");
        yield return Case(U, "did you mean 'train'", ["trian"]);
        yield return Case(U, "did you mean 'evaluate'", ["evalute"], "--checkpoint", "{ckpt}");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task BadArgumentsGetOneLineNamingTheOptionAndWriteNothing(int code, string names, string[] args)
    {
        string output = Path.Combine(Path.GetTempPath(), "mz-clitrust-out-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(output);
        try
        {
            var before = _f.Snapshot();
            var expanded = args.Select(a => _f.Expand(a, output)).ToArray();
            var (exit, stdout, err) = await CliHarness.Run(new CliFixture.NoData(), expanded);
            Assert.That(exit, Is.EqualTo(code), err);
            var lines = err.TrimEnd().Split('\n');
            Assert.That(lines, Has.Length.EqualTo(1), err);
            Assert.That(err, Does.StartWith("modelzoo: error: "));
            Assert.That(err, Does.Contain(_f.Expand(names, output)), "the message names the option or file");
            Assert.That(err + stdout, Does.Not.Contain("   at ").And.Not.Contain("Exception").And.Not.Contain("Nullable`1").And.Not.Contain("(Parameter '"));
            Assert.That(Directory.EnumerateFileSystemEntries(output), Is.Empty, "nothing written to the output folder");
            Assert.That(_f.Snapshot(), Is.EqualTo(before), "nothing written next to the inputs");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Test]
    public void ThereAreAtLeastSixtyCasesCoveringEveryCommand()
    {
        var cases = Cases().ToList();
        Assert.That(cases, Has.Count.GreaterThanOrEqualTo(60));
        var heads = cases.Select(c => (string[])c.Arguments[2]!).ToList();
        var commands = heads.Select(h => h[0]).Concat(heads.Where(h => h.Length > 1).Select(h => h[0] + " " + h[1])).ToHashSet(); // "weights list"
        Assert.That(CliArguments.Commands.Keys, Is.SubsetOf(commands));
    }
}
