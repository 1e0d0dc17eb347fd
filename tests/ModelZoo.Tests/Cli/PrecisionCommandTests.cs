using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Tests.Training;
using ModelZoo.Training;

namespace ModelZoo.Tests.Cli;

/// <summary><c>--precision</c> and <c>--channels-last</c> on train, evaluate, predict and inspect.</summary>
[RestoresTorchThreads]
public class PrecisionCommandTests
{
    [Test]
    public async Task Bf16TrainingIsRecordedAnnouncedAndResumedAndEvaluatesInBf16()
    {
        string dir = TinyNets.TempDir();
        var (code, output, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "1",
            "--max-steps", "4", "--threads", "1", "--precision", "bf16", "--output", dir, "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(err, Does.Contain("precision bf16 (float32 master weights), memory format channels-last"), "channels-last is the bf16 default on CPU");
        var config = RunConfiguration.Load(dir);
        Assert.That(config.Training.Precision, Is.EqualTo(ComputePrecision.Bf16));
        Assert.That(config.Training.ChannelsLast, Is.True);
        Assert.That(File.ReadAllText(Path.Combine(dir, "config.json")), Does.Contain("\"precision\": \"bf16\""));

        var resumed = await CliHarness.Run("train", "--resume", dir, "--epochs", "2", "--json");
        Assert.That(resumed.Code, Is.EqualTo(ExitCodes.Success), resumed.Err);
        Assert.That(RunConfiguration.Load(dir).Training.Precision, Is.EqualTo(ComputePrecision.Bf16), "a resume keeps the recorded precision");
        Assert.That(resumed.Err, Does.Contain("precision bf16"));

        string evalDir = TinyNets.TempDir();
        var fp32 = await CliHarness.Run("evaluate", "--checkpoint", dir, "--output", Path.Combine(evalDir, "a"), "--threads", "1", "--json");
        var bf16 = await CliHarness.Run("evaluate", "--checkpoint", dir, "--output", Path.Combine(evalDir, "b"), "--threads", "1", "--precision", "bf16", "--json");
        Assert.That(fp32.Code, Is.EqualTo(ExitCodes.Success), fp32.Err);
        Assert.That(bf16.Code, Is.EqualTo(ExitCodes.Success), bf16.Err);
        double Top1(string json) => JsonDocument.Parse(json).RootElement.GetProperty("top1").GetDouble();
        Assert.That(Top1(bf16.Out), Is.EqualTo(Top1(fp32.Out)).Within(0.02), "a bf16 forward pass scores like fp32");
    }

    /// <summary>Channels-last measured faster for every zoo model on CPU, fp32 included, so training uses it unless told not to.</summary>
    [Test]
    public async Task Fp32TrainingOnCpuDefaultsToChannelsLast()
    {
        string dir = TinyNets.TempDir();
        var (code, output, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "1",
            "--max-steps", "2", "--threads", "1", "--output", dir);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(RunConfiguration.Load(dir).Training.ChannelsLast, Is.True);
        Assert.That(output + err, Does.Contain("precision fp32 (float32 master weights), memory format channels-last"));
    }

    [Test]
    public async Task NoChannelsLastKeepsNchwUnderBf16()
    {
        string dir = TinyNets.TempDir();
        var (code, output, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "1",
            "--max-steps", "2", "--threads", "1", "--precision", "bf16", "--no-channels-last", "--output", dir);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(RunConfiguration.Load(dir).Training.ChannelsLast, Is.False);
        Assert.That(output + err, Does.Contain("memory format NCHW"));
    }

    [Test]
    public async Task ChannelsLastIsRecordedAndNoChannelsLastTurnsItOffOnResume()
    {
        string dir = TinyNets.TempDir();
        var (code, output, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "1",
            "--max-steps", "2", "--threads", "1", "--channels-last", "--output", dir);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(RunConfiguration.Load(dir).Training.ChannelsLast, Is.True);
        Assert.That(output + err, Does.Contain("precision fp32 (float32 master weights), memory format channels-last"));
        var resumed = await CliHarness.Run("train", "--resume", dir, "--epochs", "2", "--no-channels-last");
        Assert.That(resumed.Code, Is.EqualTo(ExitCodes.Success), resumed.Err);
        Assert.That(RunConfiguration.Load(dir).Training.ChannelsLast, Is.False);
    }

    [TestCase(new[] { "train", "--model", "deepcnn", "--data", "mnist-sample", "--precision", "fp8" }, "--precision must be fp32, bf16 or fp16, not 'fp8'")]
    [TestCase(new[] { "train", "--model", "deepcnn", "--data", "mnist-sample", "--channels-last", "--no-channels-last" }, "cannot both")]
    [TestCase(new[] { "evaluate", "--checkpoint", "x.ckpt", "--precision", "int8" }, "--precision must be")]
    [TestCase(new[] { "predict", "--onnx", "m.onnx", "--precision", "bf16", "a.png" }, "an ONNX file runs as exported")]
    [TestCase(new[] { "inspect", "--model", "resnet18", "--precision", "fp64" }, "--precision must be fp32, bf16, fp16 or all")]
    public async Task BadPrecisionArgumentsAreUsageErrors(string[] args, string expected)
    {
        var (code, _, err) = await CliHarness.Run(args);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), err);
        Assert.That(err, Does.Contain(expected));
    }

    [Test]
    public async Task InspectShowsMemoryPerPrecision()
    {
        var (code, output, err) = await CliHarness.Run("inspect", "--model", "resnet18", "--precision", "all", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(output);
        var memory = doc.RootElement.GetProperty("memory").EnumerateArray().ToDictionary(m => m.GetProperty("precision").GetString()!);
        Assert.That(memory.Keys, Is.EquivalentTo(new[] { "fp32", "bf16", "fp16" }));
        long parameters = doc.RootElement.GetProperty("params").GetInt64();
        Assert.That(memory["fp32"].GetProperty("parameter_bytes").GetInt64(), Is.EqualTo(parameters * 4));
        Assert.That(memory["bf16"].GetProperty("parameter_bytes").GetInt64(), Is.EqualTo(parameters * 4), "master weights stay float32");
        Assert.That(memory["fp32"].GetProperty("compute_weight_bytes").GetInt64(), Is.Zero);
        long copies = memory["bf16"].GetProperty("compute_weight_bytes").GetInt64();
        Assert.That(copies, Is.GreaterThan(parameters * 2 * 99 / 100).And.LessThanOrEqualTo(parameters * 2), "conv and linear weights are nearly all of resnet18's");
        long fp32Activations = memory["fp32"].GetProperty("activation_bytes_per_sample").GetInt64();
        Assert.That(memory["bf16"].GetProperty("activation_bytes_per_sample").GetInt64() * 2, Is.EqualTo(fp32Activations));
        // resnet18 at 224: the stem conv alone outputs 64 x 112 x 112 floats.
        Assert.That(fp32Activations, Is.GreaterThan(64L * 112 * 112 * 4));

        var table = await CliHarness.Run("inspect", "--model", "resnet18", "--precision", "bf16");
        Assert.That(table.Out, Does.Contain("bf16").And.Contain("fp32").And.Contain("MiB"));
        Assert.That(table.Out, Does.Not.Contain("fp16"));
    }
}
