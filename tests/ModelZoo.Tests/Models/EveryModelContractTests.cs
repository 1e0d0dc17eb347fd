using System.Globalization;
using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Data;
using ModelZoo.Features;
using ModelZoo.Models;
using ModelZoo.Tests.Cli;
using ModelZoo.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Models;

/// <summary>
/// The contract every registered model keeps, checked on each of them: it carries the card of the name it was created
/// under; <see cref="IZooModel.ForwardFeatures"/> gives its trunk's map; <see cref="FeatureExtractor"/> taps every stage
/// the card names (binary-resnet18 once lost its feature nodes); and <c>modelzoo embed</c> runs on a checkpoint of it.
/// </summary>
[Category("Models")]
[NonParallelizable]
public class EveryModelContractTests
{
    public static IEnumerable<string> AllModels => Zoo.Names;

    private static (int Channels, int Size) SmallInput(ModelCard card) => card.DefaultClasses == 10 ? (1, 28) : (3, 64);

    [TestCaseSource(nameof(AllModels))]
    public void ItCarriesItsCardAndItsStagesAndTrunkRun(string name)
    {
        using var scope = NewDisposeScope();
        var card = Zoo.Card(name);
        var (channels, size) = SmallInput(card);
        using var model = Zoo.Create(name, new ModelOptions { InChannels = channels, NumClasses = 10, Seed = 3 });
        var zoo = (IZooModel)model;
        Assert.That(zoo.Card, Is.EqualTo(card), "the model carries the registry's card of its name");
        Assert.That(Zoo.CardOf(model).Name, Is.EqualTo(name));
        Assert.That((zoo.Options.NumClasses, zoo.Options.InChannels), Is.EqualTo(((int?)10, (int?)channels)), "and the options it was built with");
        Assert.That(card.FeatureNodes, Is.Not.Empty, $"{name}'s card names its feature stages");
        model.eval();
        using var noGrad = no_grad();
        var x = randn(2, channels, size, size, generator: new Generator(5));
        var trunk = zoo.ForwardFeatures(x);
        Assert.That(trunk.dim(), Is.EqualTo(4));
        Assert.That(trunk.shape[1], Is.EqualTo(zoo.NumFeatures));
        using var extractor = new FeatureExtractor(model);
        var maps = extractor.Forward(x);
        Assert.That(maps.Select(m => m.Node), Is.EqualTo(card.FeatureNodes));
        Assert.That(maps.All(m => m.Map.shape[0] == 2 && m.Map.dim() == 4));
        Assert.That(maps.Select(m => m.Reduction), Is.Ordered, "stages go from shallow to deep");
    }

    [TestCaseSource(nameof(AllModels))]
    public async Task EmbedRunsOnACheckpointOfIt(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mz-embed-every-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var card = Zoo.Card(name);
            var (channels, size) = SmallInput(card);
            string checkpoint = Path.Combine(dir, name + ".ckpt");
            var options = new ModelOptions { InChannels = channels, NumClasses = 10, Seed = 3 };
            long features;
            using (var model = Zoo.Create(name, options))
            {
                features = ((IZooModel)model).NumFeatures;
                var classes = Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
                var normalization = channels == 1 ? Normalization.Mnist : new Normalization(card.Preprocessing.Mean.ToArray(), card.Preprocessing.Std.ToArray());
                Checkpoint.SaveWeights(checkpoint, model, new ModelDescriptor(name, options, classes, normalization, channels, size, "mnist-sample"));
            }
            string image = Path.Combine(dir, "digit.png");
            TestPng.WriteGrey(image, DataSpec.Resolve("mnist-sample").Validation.Get(0).Image);
            var (code, stdout, err) = await CliHarness.Run("embed", "--checkpoint", checkpoint, image, "--json", "--threads", "2");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
            using var doc = JsonDocument.Parse(stdout);
            Assert.That(doc.RootElement.GetProperty("model").GetString(), Is.EqualTo(name));
            Assert.That(doc.RootElement.GetProperty("dim").GetInt64(), Is.EqualTo(features));
            var vector = doc.RootElement.GetProperty("results")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.That(vector.All(double.IsFinite), Is.True);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void FamilyOptionsAreCheckedByTheirFamily()
    {
        var e = Assert.Throws<ArgumentException>(() => Zoo.Create("resnet18", new ModelOptions { Family = new GoogLeNetOptions { AuxLogits = true } }))!;
        Assert.That(e.Message, Does.Contain("GoogLeNet options").And.Contain("resnet18"));
        Assert.Throws<ArgumentException>(() => Zoo.Create("googlenet", new ModelOptions { Family = new ResNetOptions { ZeroInitResidual = true } }));
        using var scope = NewDisposeScope();
        // binary-resnet18 is built by the ResNet family, so it takes ResNet options.
        using var binary = Zoo.Create("binary-resnet18", new ModelOptions { Family = new ResNetOptions { ZeroInitResidual = true } });
        Assert.That(binary.state_dict()["layer1.0.bn2.weight"].abs().sum().item<float>(), Is.Zero);
        Assert.That(((IZooModel)binary).Card.Name, Is.EqualTo("binary-resnet18"));
        Assert.That(((IZooModel)binary).Card.FeatureNodes, Is.EqualTo(Zoo.Card("resnet18").FeatureNodes), "derived from resnet18's card");
    }

    [Test]
    public void FamilyOptionsRoundTripInJsonAndTheOldFlatFormStillReads()
    {
        var json = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
        var options = new ModelOptions { NumClasses = 10, Family = new GoogLeNetOptions { AuxLogits = true, TransformInput = true } };
        string text = JsonSerializer.Serialize(options, json);
        Assert.That(text, Does.Contain("\"family\":{\"name\":\"googlenet\"").And.Not.Contain("\"auxLogits\":null"));
        Assert.That(JsonSerializer.Deserialize<ModelOptions>(text, json), Is.EqualTo(options));
        // What checkpoints of the previous release hold for an imported torchvision GoogLeNet.
        const string old = """{"numClasses":1000,"inChannels":3,"dropout":null,"init":0,"smallInput":0,"auxLogits":false,"trueInception5x5":false,"transformInput":true,"zeroInitResidual":false,"seed":null}""";
        var read = JsonSerializer.Deserialize<ModelOptions>(old, json)!;
        Assert.That(read.Family, Is.EqualTo(new GoogLeNetOptions { TransformInput = true }));
        const string oldResNet = """{"numClasses":10,"zeroInitResidual":true}""";
        Assert.That(JsonSerializer.Deserialize<ModelOptions>(oldResNet, json)!.Family, Is.EqualTo(new ResNetOptions { ZeroInitResidual = true }));
    }
}
