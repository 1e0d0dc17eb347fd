using System.Text.Json;
using ModelZoo.Cli;

namespace ModelZoo.Tests.Cli;

public class InspectAndListCommandTests
{
    [Test]
    public async Task ListJsonHasEveryModelWithItsCard()
    {
        var (code, output, err) = await CliHarness.Run("list", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(output);
        var names = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.That(names, Is.EquivalentTo(Zoo.Names));
        var resnet50 = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "resnet50");
        Assert.That(resnet50.GetProperty("params").GetInt64(), Is.EqualTo(25_557_032));
        Assert.That(resnet50.GetProperty("macs").GetInt64(), Is.EqualTo(Zoo.Card("resnet50").Macs));
        var resnet18 = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "resnet18");
        Assert.That(resnet18.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()), Does.Contain("resnet"));
        // Known weights: torchvision's file for every ImageNet model (and timm's for ResNets), none for deepcnn.
        var weights = resnet18.GetProperty("weights").EnumerateArray().ToList();
        Assert.That(weights.Select(w => w.GetProperty("name").GetString()), Is.EqualTo(new[] { "resnet18.tv_in1k", "resnet18.a1_in1k" }));
        Assert.That(weights[0].GetProperty("url").GetString(), Is.EqualTo("https://download.pytorch.org/models/resnet18-f37072fd.pth"));
        Assert.That(weights[0].GetProperty("sha256").GetString(), Is.EqualTo("f37072fd"));
        Assert.That(weights[0].GetProperty("default").GetBoolean(), Is.True);
        Assert.That(weights[0].GetProperty("classes").GetInt32(), Is.EqualTo(1000));
        var deepcnn = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "deepcnn");
        Assert.That(deepcnn.GetProperty("weights").GetArrayLength(), Is.Zero);
        foreach (var (name, count) in new[] { ("vgg16_bn", 1), ("googlenet", 1), ("resnet152", 3) })
            Assert.That(doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name).GetProperty("weights").GetArrayLength(), Is.EqualTo(count), name);
    }

    [Test]
    public async Task ListTableNamesEveryModel()
    {
        var (code, output, _) = await CliHarness.Run("list");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        foreach (var name in Zoo.Names) Assert.That(output, Does.Contain(name));
    }

    [Test]
    public async Task InspectJsonTotalsMatchTheLayersAndTheModel()
    {
        var (code, output, err) = await CliHarness.Run("inspect", "--model", "deepcnn", "--input", "1x28x28", "--classes", "10", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("params").GetInt64(), Is.EqualTo(123_552));
        long macs = root.GetProperty("macs").GetInt64();
        Assert.That(macs, Is.EqualTo(8.77e6).Within(0.01 * 8.77e6));
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.That(layers.Sum(l => l.GetProperty("macs").GetInt64()), Is.EqualTo(macs));
        Assert.That(layers.Sum(l => l.GetProperty("params").GetInt64()), Is.EqualTo(123_552));
        Assert.That(layers.Last().GetProperty("output_shape").EnumerateArray().Select(d => d.GetInt64()), Is.EqualTo(new long[] { 10 }));
        Assert.That(root.GetProperty("trainable_params").GetInt64() + root.GetProperty("frozen_params").GetInt64(), Is.EqualTo(123_552));
    }

    [Test]
    public async Task InspectStateDictListsTorchvisionKeys()
    {
        var (code, output, err) = await CliHarness.Run("inspect", "--model", "resnet", "--state-dict", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(output);
        Assert.That(doc.RootElement.GetProperty("model").GetString(), Is.EqualTo("resnet18"));
        var keys = doc.RootElement.GetProperty("keys").EnumerateArray()
            .ToDictionary(k => k.GetProperty("key").GetString()!, k => k.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
        Assert.That(keys["conv1.weight"], Is.EqualTo(new long[] { 64, 3, 7, 7 }));
        Assert.That(keys["layer2.0.downsample.0.weight"], Is.EqualTo(new long[] { 128, 64, 1, 1 }));
        Assert.That(keys["fc.weight"], Is.EqualTo(new long[] { 1000, 512 }));
        Assert.That(keys, Does.ContainKey("bn1.num_batches_tracked"));
    }

    [TestCase("inspect", "--model", "resnet18", "--input", "3x224")]
    [TestCase("inspect", "--model", "resnet18", "--input", "2x32x32")]
    [TestCase("inspect")]
    [TestCase("inspect", "--model", "resnet18", "--bogus")]
    [TestCase("inspect", "--model", "alexnet")]
    public async Task BadInspectArgumentsAreUsageErrors(params string[] args)
    {
        var (code, _, err) = await CliHarness.Run(args);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), err);
        Assert.That(err, Does.StartWith("modelzoo: error: "));
    }

    [Test]
    public async Task UnknownModelMessageNamesTheKnownModels()
    {
        var (_, _, err) = await CliHarness.Run("inspect", "--model", "alexnet");
        Assert.That(err, Does.Contain("alexnet").And.Contain("resnet50").And.Contain("deepcnn"));
    }
}
