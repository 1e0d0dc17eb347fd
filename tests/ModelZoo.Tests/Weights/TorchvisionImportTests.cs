using ModelZoo.Cli;
using ModelZoo.Tests.Cli;
using ModelZoo.Training;
using ModelZoo.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// Real torchvision on both sides: PyTorch writes random-init state dicts (torch.save and safetensors) and the
/// logits it computes on a fixed input; ModelZoo imports them by name and must compute the same logits.
/// </summary>
[NonParallelizable]
public class TorchvisionImportTests
{
    private static readonly string[] Models = ["resnet18", "vgg11_bn", "googlenet", "googlenet_aux", "googlenet_tin"];
    private string _dir = "";

    [OneTimeSetUp]
    public void MakeReferenceFiles()
    {
        TorchReference.Require();
        _dir = Path.Combine(Path.GetTempPath(), "modelzoo-tvweights-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        TorchReference.RunScript("make_weights.py", [_dir, .. Models]);
    }

    [OneTimeTearDown]
    public void RemoveReferenceFiles()
    {
        try { if (_dir.Length > 0) Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [TestCase("resnet18", ".pth")]
    [TestCase("resnet18", ".safetensors")]
    [TestCase("vgg11_bn", ".pth")]
    [TestCase("googlenet", ".pth")]
    [TestCase("googlenet", ".safetensors")]
    [TestCase("googlenet_aux", ".pth")]
    [TestCase("resnet18", ".legacy.pth")]
    [TestCase("vgg11_bn", ".legacy.pth")]
    [TestCase("googlenet_aux", ".legacy.pth")]
    public void ImportedWeightsGiveTorchvisionsLogits(string name, string extension)
    {
        using var scope = NewDisposeScope();
        bool aux = name == "googlenet_aux";
        using var model = Zoo.Create(aux ? "googlenet" : name, new ModelOptions { NumClasses = 1000, InChannels = 3, Family = aux ? new ModelZoo.Models.GoogLeNetOptions { AuxLogits = true } : null });
        var result = PretrainedWeights.Load(model, Path.Combine(_dir, name + extension));
        Assert.That(result.Missing, Is.Empty);
        Assert.That(result.Unexpected, Is.Empty);
        Assert.That(result.Loaded, Has.Count.EqualTo(model.state_dict().Count));

        var io = SafetensorsFile.Read(Path.Combine(_dir, name + ".io.safetensors"));
        model.eval();
        using (no_grad())
        {
            var logits = model.call(io["x"]);
            double diff = (logits - io["y"]).abs().max().item<float>();
            TestContext.Out.WriteLine($"{name}{extension}: max |ModelZoo - PyTorch| = {diff:E2}");
            Assert.That(diff, Is.LessThanOrEqualTo(1e-4), "logits differ from PyTorch's");
        }
        foreach (var t in io.Values) t.Dispose();
    }

    [Test]
    public async Task TransformInputIsAGoogLeNetOption()
    {
        string output = Path.Combine(_dir, "refused.ckpt");
        var (code, _, err) = await CliHarness.Run("import-weights", "--model", "resnet18", "--weights", Path.Combine(_dir, "resnet18.pth"), "--output", output, "--transform-input");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("GoogLeNet options").And.Contain("resnet18"));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void TransformInputGivesTorchvisionsLogitsForItsPublishedGoogLeNetSetting()
    {
        using var scope = NewDisposeScope();
        var io = SafetensorsFile.Read(Path.Combine(_dir, "googlenet_tin.io.safetensors"));
        double Diff(bool transformInput)
        {
            using var model = Zoo.Create("googlenet", new ModelOptions { NumClasses = 1000, InChannels = 3, Family = new ModelZoo.Models.GoogLeNetOptions { TransformInput = transformInput } });
            PretrainedWeights.Load(model, Path.Combine(_dir, "googlenet_tin.pth"));
            model.eval();
            using var noGrad = no_grad();
            return (model.call(io["x"]) - io["y"]).abs().max().item<float>();
        }
        double with = Diff(true), without = Diff(false);
        TestContext.Out.WriteLine($"googlenet transform_input=True: max diff {with:E2} with TransformInput, {without:E2} without");
        Assert.That(with, Is.LessThanOrEqualTo(1e-4), "TransformInput reproduces torchvision's transform_input");
        Assert.That(without, Is.GreaterThan(1e-3), "without it the logits differ (the setting matters)");
        foreach (var t in io.Values) t.Dispose();
    }

    [Test]
    public void AModelOfTheWrongShapeGetsOneErrorListingEveryProblem()
    {
        using var model = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, InChannels = 1 });
        string path = Path.Combine(_dir, "resnet18.pth");
        var e = Assert.Throws<WeightsFileException>(() => PretrainedWeights.Load(model, path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("conv1.weight is [64, 3, 7, 7] in the file but [64, 1, 7, 7]").And.Contain("fc.weight").And.Contain("fc.bias"));
    }

    [Test]
    public void FineTuningKeepsAFreshHeadAndSumsTheRgbFiltersForGreyInput()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, InChannels = 1 });
        var freshFc = model.state_dict()["fc.weight"].clone();
        string path = Path.Combine(_dir, "resnet18.pth");
        var result = PretrainedWeights.LoadForFineTuning(model, path);
        Assert.That(result.Reinitialized, Is.EquivalentTo(new[] { "fc.weight", "fc.bias" }));
        Assert.That(result.Adapted, Is.EqualTo(new[] { "conv1.weight" }));
        var file = PretrainedWeights.Read(path);
        var state = model.state_dict();
        Assert.That((state["fc.weight"] - freshFc).abs().max().item<float>(), Is.Zero, "the new head keeps its initialisation");
        Assert.That((state["conv1.weight"] - file["conv1.weight"].sum(1, keepdim: true)).abs().max().item<float>(), Is.LessThan(1e-6f));
        Assert.That((state["layer4.1.bn2.running_var"] - file["layer4.1.bn2.running_var"]).abs().max().item<float>(), Is.Zero);
        foreach (var t in file.Values) t.Dispose();
    }

    [Test]
    public void FineTuningAGoogLeNetWithoutAuxHeadsIgnoresTheFilesAuxHeads()
    {
        using var scope = NewDisposeScope();
        using var model = Zoo.Create("googlenet", new ModelOptions { NumClasses = 10, InChannels = 3 });
        var result = PretrainedWeights.LoadForFineTuning(model, Path.Combine(_dir, "googlenet_aux.pth"));
        Assert.That(result.Reinitialized, Is.EquivalentTo(new[] { "fc.weight", "fc.bias" }));
        Assert.That(result.Unexpected, Is.Not.Empty.And.All.StartsWith("aux"));
        Assert.That(result.Missing, Is.Empty);
        // A mismatch outside the head is still an error.
        using var vgg = Zoo.Create("vgg11_bn", new ModelOptions { NumClasses = 10, InChannels = 3 });
        var e = Assert.Throws<WeightsFileException>(() => PretrainedWeights.LoadForFineTuning(vgg, Path.Combine(_dir, "resnet18.pth")))!;
        Assert.That(e.Message, Does.Contain("missing from the file").And.Contain("not in the model"));
        Assert.That(e.Message, Does.Contain("this file looks like resnet18"), "the model with published weights named first among those with the same keys");
    }

    [TestCase("resnet18", "resnet18")]
    [TestCase("googlenet_aux", "googlenet")]
    [TestCase("googlenet_tin", "googlenet")]
    public async Task ImportWeightsWritesACheckpointThatComputesPyTorchsLogits(string file, string model)
    {
        string output = Path.Combine(_dir, file + ".ckpt");
        var args = new List<string> { "import-weights", "--model", model, "--weights", Path.Combine(_dir, file + ".pth"), "--output", output, "--json" };
        if (file.EndsWith("_aux", StringComparison.Ordinal)) args.Add("--aux-logits");
        if (file.EndsWith("_tin", StringComparison.Ordinal)) args.Add("--transform-input");
        var (code, stdout, err) = await CliHarness.Run([.. args]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(stdout, Does.Contain("\"tensors\""));

        using var scope = NewDisposeScope();
        var (loaded, info) = Checkpoint.LoadModel(output);
        Assert.That(info.ClassNames, Has.Count.EqualTo(1000));
        Assert.That(info.Normalization.Mean, Is.EqualTo(new[] { 0.485f, 0.456f, 0.406f }), "the card's preprocessing is recorded");
        var io = SafetensorsFile.Read(Path.Combine(_dir, file + ".io.safetensors"));
        using (no_grad())
            Assert.That((loaded.call(io["x"]) - io["y"]).abs().max().item<float>(), Is.LessThanOrEqualTo(1e-4f));
        foreach (var t in io.Values) t.Dispose();
        loaded.Dispose();

        (code, _, err) = await CliHarness.Run([.. args]);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), "an existing output is never overwritten");
        Assert.That(err, Does.Contain("already exists"));
    }
}
