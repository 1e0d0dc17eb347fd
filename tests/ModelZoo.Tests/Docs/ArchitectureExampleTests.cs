using DescriptionAttribute = System.ComponentModel.DescriptionAttribute;
using System.Text.Json.Nodes;
using ModelZoo.Blocks;
using ModelZoo.Cli.Commands;
using ModelZoo.Models;
using ModelZoo.Tests.Training;
using ModelZoo.Training;
using Spectre.Console.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Docs;

/// <summary>
/// The three worked examples of docs/architecture.md (add a training option, a callback, a model variant), compiled and
/// run; a test checks that every code line of the doc's C# fences occurs in this file.
/// </summary>
[RestoresTorchThreads]
public class ArchitectureExampleTests
{
    // --- same code as docs/architecture.md (add a training option) ---
    public sealed class SmoothingSettings : CommandSettings
    {
        [CommandOption("--label-smoothing <EPS>")]
        [SpecField("training.labelSmoothing")]
        [Description("Label smoothing.")]
        public double? LabelSmoothing { get; init; }
    }

    [Test]
    public void AddATrainingOption()
    {
        var layer = CommandLineLayer.From(new SmoothingSettings { LabelSmoothing = 1.5 }, ["--label-smoothing", "1.5"]);
        var error = Assert.Throws<RunSpecException>(() => RunSpecComposer.Compose([layer]));   // "--label-smoothing must be in [0, 1), got 1.5"
        Assert.That(error!.Message, Is.EqualTo("--label-smoothing must be in [0, 1), got 1.5"));
        var good = CommandLineLayer.From(new SmoothingSettings { LabelSmoothing = 0.1 }, ["--label-smoothing", "0.1"]);
        Assert.That(RunSpecComposer.Compose([good]).Spec.Training.LabelSmoothing, Is.EqualTo(0.1));
    }

    // --- same code as docs/architecture.md (add a callback) ---
    public sealed class StopAtAccuracy(double target, int epochs) : IStatefulCallback
    {
        private int _reached;

        public string StateKey => "stopAtAccuracy";

        public void OnEpochCompleted(Trainer trainer)
        {
            _reached = trainer.CallbackMetrics.TryGetValue("val_acc", out double acc) && acc >= target ? _reached + 1 : 0;
            if (_reached >= epochs) trainer.RequestStop(TrainingStatus.EarlyStopped);
        }

        public JsonObject SaveState() => new() { ["reached"] = _reached };

        public void LoadState(JsonObject state) => _reached = state["reached"]!.GetValue<int>();
    }

    [Test]
    public void AddACallback()
    {
        string dir = TinyNets.TempDir();
        using (var model = TinyNets.Create())
        using (var trainer = new Trainer(model, TinyNets.Options with { Epochs = 6 }, TinyNets.Descriptor, dir))
        {
            trainer.Callbacks.Add(new StopAtAccuracy(target: 0.5, epochs: 2));
            var result = trainer.Fit(new DigitBatches(0, 500, 50), new DigitBatches(7000, 200, 100, shuffle: false));
            Assert.That(result.Status, Is.EqualTo(TrainingStatus.EarlyStopped), "the tiny net passes 50 % within a few epochs");
            Assert.That(result.History.Skip(result.History.Count - 2).All(m => m.ValidationAccuracy >= 0.5), Is.True);
        }
        // Its state went into the checkpoint and comes back on resume.
        var seen = new StopAtAccuracy(target: 2.0, epochs: 1);
        using (var model = TinyNets.Create())
        using (var trainer = new Trainer(model, TinyNets.Options with { Epochs = 7 }, TinyNets.Descriptor))
        {
            var probe = new StateProbe();
            trainer.Callbacks.Add(probe);
            trainer.Resume(dir);
            trainer.Fit(new DigitBatches(0, 500, 50), new DigitBatches(7000, 200, 100, shuffle: false));
            Assert.That(probe.Loaded?["reached"]?.GetValue<int>(), Is.EqualTo(2));
        }
    }

    private sealed class StateProbe : IStatefulCallback
    {
        public JsonObject? Loaded { get; private set; }

        public string StateKey => "stopAtAccuracy";

        public JsonObject SaveState() => Loaded ?? [];

        public void LoadState(JsonObject state) => Loaded = state;
    }

    [Test]
    public void AddAModelVariant()
    {
        using var scope = NewDisposeScope();
        // --- same code as docs/architecture.md (add a model variant) ---
        var card = Zoo.Card("resnet18") with { Name = "resnet18_silu", Summary = "ResNet-18 with SiLU activations.", Weights = [] };
        var silu = LayerFactory.Default with { Activation = () => nn.SiLU() };
        var entry = new ZooEntry(card, o => ResNet.ResNet18(o with { Layers = silu }), ["resnet18-silu"]) { OptionsFamily = "resnet" };
        using var model = entry.Factory(new ModelOptions { NumClasses = 10, Family = new ResNetOptions { ZeroInitResidual = true } });
        // --- end of example ---

        using var parent = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10 });
        Assert.That(model.state_dict().Keys, Is.EqualTo(parent.state_dict().Keys), "the same names, so torchvision's weights still load");
        Assert.That(model.modules().OfType<TorchSharp.Modules.SiLU>().Count(), Is.EqualTo(9));
        Assert.That(card.FeatureNodes, Is.EqualTo(Zoo.Card("resnet18").FeatureNodes), "the stages come with the parent's card");
        Assert.That(model.state_dict()["layer1.0.bn2.weight"].abs().sum().item<float>(), Is.Zero, "the family's own option works");
        Assert.That(model.call(torch.randn(1, 3, 64, 64)).shape, Is.EqualTo(new long[] { 1, 10 }));
    }

    [Test]
    public void EveryExampleLineIsTestedCode()
    {
        string doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "architecture.md"));
        var fences = DocsTests.Fences(doc).Where(f => f.Language == "csharp").ToList();
        Assert.That(fences, Has.Count.EqualTo(3), "docs/architecture.md: the three worked examples");
        string source = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.Tests", "Docs", "ArchitectureExampleTests.cs"));
        var tested = source.Split('\n').Select(l => l.Trim()).ToHashSet();
        foreach (var fence in fences)
            foreach (var line in fence.Lines.Select(l => l.Trim()).Where(l => l.Length > 1 && !l.StartsWith("//", StringComparison.Ordinal)))
                Assert.That(tested, Does.Contain(line), $"docs/architecture.md line not in ArchitectureExampleTests: {line}");
    }
}
