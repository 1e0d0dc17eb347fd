using System.Text.Json;
using ModelZoo.Data.Folders;
using ModelZoo.Training;

namespace ModelZoo.Tests.Training;

[RestoresTorchThreads]
public class RunConfigurationTests
{
    private static RunConfiguration Recorded(string augment = "light")
    {
        var configuration = RunConfiguration.For(TinyNets.Descriptor, TinyNets.Options with { MaxStepsPerEpoch = 3, LearningRate = 0.002 });
        return configuration with
        {
            Spec = configuration.Spec with
            {
                DataOptions = new RunDataOptions { Augment = augment, ValidationSplit = 0.2, OnBadImage = OnBadImage.Skip, ImageSize = 28 },
                Recipe = "test recipe",
            },
            CommandLine = "train --model tinynet",
        };
    }

    private static string TrainOneEpoch(RunConfiguration configuration)
    {
        string dir = TinyNets.TempDir();
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, configuration, dir);
        trainer.Fit(new DigitBatches(0, 500, 50));
        return dir;
    }

    [Test]
    public void ConfigJsonIsTheRunSpecPlusARunRecordAndReadsBackTyped()
    {
        string dir = TrainOneEpoch(Recorded());
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json"))))
        {
            var root = doc.RootElement;
            Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
            {
                "model", "modelOptions", "data", "dataOptions", "training", "pretrained", "recipe", "run",
            }));
            Assert.That(root.GetProperty("run").EnumerateObject().Select(p => p.Name),
                Is.EqualTo(new[] { "classes", "normalization", "channels", "imageSize", "resumedFrom", "commandLine", "versions", "createdUtc" }));
            Assert.That(root.GetProperty("dataOptions").GetProperty("onBadImage").GetString(), Is.EqualTo("skip"));
            Assert.That(root.GetProperty("run").GetProperty("resumedFrom").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(root.GetProperty("training").TryGetProperty("progressInterval", out _), Is.False, "how the run is watched is not recorded");
        }
        var loaded = RunConfiguration.Load(dir);
        Assert.That(loaded.Model, Is.EqualTo("tinynet"));
        Assert.That(loaded.ModelOptions, Is.EqualTo(TinyNets.Descriptor.ModelOptions));
        Assert.That(loaded.Classes, Is.EqualTo(TinyNets.Descriptor.ClassNames));
        Assert.That((loaded.Channels, loaded.ImageSize, loaded.Data), Is.EqualTo((1, 28, "mnist-sample")));
        Assert.That(loaded.Training, Is.EqualTo(Recorded().Training));
        Assert.That(loaded.DataOptions, Is.EqualTo(new RunDataOptions { Augment = "light", ValidationSplit = 0.2, OnBadImage = OnBadImage.Skip, ImageSize = 28 }));
        Assert.That((loaded.Recipe, loaded.CommandLine), Is.EqualTo(("test recipe", "train --model tinynet")));
        Assert.That(loaded.Versions!["torchsharp"], Does.StartWith("0.107"));
        Assert.That(loaded.CreatedUtc, Is.Not.Null);

        // The same file read as a recipe gives the same spec: one schema for config.json, --config and --print-config.
        var asRecipe = RunSpecComposer.Compose([RunSpecLayer.FromFile(Path.Combine(dir, "config.json"))]).Spec;
        Assert.That(asRecipe.ToJson().ToJsonString(), Is.EqualTo(loaded.Spec.ToJson().ToJsonString()));

        Assert.Throws<RunConfigurationException>(() => RunConfiguration.Load(TinyNets.TempDir()));
        string bad = Path.Combine(TinyNets.TempDir(), "config.json");
        File.WriteAllText(bad, "{ \"model\": 3 ");
        Assert.That(Assert.Throws<RunConfigurationException>(() => RunConfiguration.Load(bad))!.Message, Does.Contain(bad));
    }

    [Test]
    public void LibraryResumeLayersRecordedOptionsUnderWhatIsGivenAgain()
    {
        string dir = TrainOneEpoch(Recorded());
        string last = Path.Combine(dir, "checkpoints", Checkpoint.LastFileName);

        var resumed = RunConfiguration.ForResume(dir);
        Assert.That(resumed.ResumedFrom, Is.EqualTo(last));
        var given = RunSpecLayer.FromCode(s => s with
        {
            Training = s.Training with { Epochs = 2 },
            DataOptions = s.DataOptions with { ValidationSplit = 0.1 },
        });
        var merged = RunSpecComposer.Compose([resumed.ToResumeLayer(), given]).Spec;
        Assert.That(merged.Model, Is.EqualTo("tinynet"));
        // Training options: the checkpoint's, but for what is given again.
        Assert.That(merged.Training, Is.EqualTo(Recorded().Training with { Epochs = 2 }));
        // Data options: config.json's, but for what is given again; the image size is the checkpoint's.
        Assert.That(merged.DataOptions, Is.EqualTo(new RunDataOptions { Augment = "light", ValidationSplit = 0.1, OnBadImage = OnBadImage.Skip, ImageSize = 28 }));
        Assert.That(merged.Recipe, Is.EqualTo("test recipe"));

        // The library resumes like the CLI: the composed configuration, then Resume from the recorded checkpoint.
        var configuration = resumed with { Spec = merged };
        using (var model = TinyNets.Create(seed: 11))
        using (var trainer = new Trainer(model, configuration, dir))
        {
            trainer.Resume(configuration.ResumedFrom!);
            var result = trainer.Fit(new DigitBatches(0, 500, 50));
            Assert.That((result.EpochsCompleted, result.Step), Is.EqualTo((2, 6L)));
        }
        var after = RunConfiguration.Load(dir);
        Assert.That(after.ResumedFrom, Is.EqualTo(last));
        Assert.That(after.DataOptions.ValidationSplit, Is.EqualTo(0.1));
        Assert.That(after.Training.Epochs, Is.EqualTo(2));
    }

    [Test]
    public void AMissingConfigResumesWithTheDefaultDataOptions()
    {
        string dir = TrainOneEpoch(Recorded(augment: "mnist"));
        Assert.That(RunConfiguration.ForResume(dir).DataOptions.Augment, Is.EqualTo("mnist"), "the preset in effect is recorded by name");

        File.Delete(Path.Combine(dir, "config.json"));
        var resumed = RunConfiguration.ForResume(dir);
        Assert.That(resumed.DataOptions, Is.EqualTo(new RunDataOptions { ImageSize = 28 }));
        Assert.That(resumed.Training.LearningRate, Is.EqualTo(0.002));
    }

    [Test]
    public void AConfigJsonOfThePreviousReleaseReadsAsItsSpec()
    {
        // tests/ModelZoo.Tests/Fixtures/runs/v0.1-deepcnn: written by the release before the run spec (see its README).
        string fixture = Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.Tests", "Fixtures", "runs", "v0.1-deepcnn");
        var loaded = RunConfiguration.Load(fixture);
        Assert.That((loaded.Model, loaded.Data), Is.EqualTo(("deepcnn", "mnist-sample")));
        Assert.That(loaded.DataOptions, Is.EqualTo(new RunDataOptions { Augment = "light", ValidationSplit = 0.1, OnBadImage = OnBadImage.Fail, ImageSize = 28 }));
        Assert.That((loaded.Training.Epochs, loaded.Training.BatchSize, loaded.Training.EmaDecay, loaded.Training.ChannelsLast), Is.EqualTo((2, 20, (double?)0.9, true)));
        Assert.That(loaded.ModelOptions.Family, Is.Null, "the old flat family switches were all off");
        Assert.That(loaded.Classes, Has.Count.EqualTo(10));
        Assert.That(loaded.CommandLine, Does.StartWith("train --model deepcnn"));
        Assert.That(loaded.Recipe, Does.Contain("Deep Learning from Scratch"));
        // ... and as a recipe file.
        var spec = RunSpecComposer.Compose([RunSpecLayer.FromFile(Path.Combine(fixture, "config.json"))]).Spec;
        Assert.That(spec.ToJson().ToJsonString(), Is.EqualTo(loaded.Spec.ToJson().ToJsonString()));
    }
}
