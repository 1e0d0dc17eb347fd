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
    private static readonly string[] Models = ["resnet18", "vgg11_bn", "googlenet", "googlenet_aux"];
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
    public void ImportedWeightsGiveTorchvisionsLogits(string name, string extension)
    {
        using var scope = NewDisposeScope();
        bool aux = name == "googlenet_aux";
        using var model = Zoo.Create(aux ? "googlenet" : name, new ModelOptions { NumClasses = 1000, InChannels = 3, AuxLogits = aux });
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
    public void AModelOfTheWrongShapeGetsOneErrorListingEveryProblem()
    {
        using var model = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, InChannels = 1 });
        string path = Path.Combine(_dir, "resnet18.pth");
        var e = Assert.Throws<WeightsFileException>(() => PretrainedWeights.Load(model, path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("conv1.weight is [64, 3, 7, 7] in the file but [64, 1, 7, 7]").And.Contain("fc.weight").And.Contain("fc.bias"));
    }
}
