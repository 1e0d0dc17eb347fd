using System.Text.Json;
using ModelZoo.Data.Folders;
using ModelZoo.Training;

namespace ModelZoo.Tests.Training;

[RestoresTorchThreads]
public class RunConfigurationTests
{
    private static RunConfiguration Recorded(string augment = "light") =>
        RunConfiguration.For(TinyNets.Descriptor, TinyNets.Options with { MaxStepsPerEpoch = 3, LearningRate = 0.002 }) with
        {
            DataOptions = new RunDataOptions { Augment = augment, ValidationSplit = 0.2, OnBadImage = OnBadImage.Skip },
            Recipe = "test recipe",
            CommandLine = "train --model tinynet",
        };

    private static string TrainOneEpoch(RunConfiguration configuration)
    {
        string dir = TinyNets.TempDir();
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, configuration, dir);
        trainer.Fit(new DigitBatches(0, 500, 50));
        return dir;
    }

    [Test]
    public void ConfigJsonKeepsItsFieldNamesAndReadsBackTyped()
    {
        string dir = TrainOneEpoch(Recorded());
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json"))))
        {
            var root = doc.RootElement;
            Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
            {
                "model", "modelOptions", "data", "classes", "normalization", "channels", "imageSize", "training", "seed",
                "resumedFrom", "extras", "versions", "createdUtc",
            }));
            Assert.That(root.GetProperty("extras").EnumerateObject().Select(p => p.Name),
                Is.EqualTo(new[] { "augment", "valSplit", "onBadImage", "recipe", "commandLine" }));
            Assert.That(root.GetProperty("extras").GetProperty("onBadImage").GetString(), Is.EqualTo("skip"));
            Assert.That(root.GetProperty("resumedFrom").ValueKind, Is.EqualTo(JsonValueKind.Null));
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

        Assert.Throws<RunConfigurationException>(() => RunConfiguration.Load(TinyNets.TempDir()));
        string bad = Path.Combine(TinyNets.TempDir(), "config.json");
        File.WriteAllText(bad, "{ \"model\": 3 ");
        Assert.That(Assert.Throws<RunConfigurationException>(() => RunConfiguration.Load(bad))!.Message, Does.Contain(bad));
    }

    [Test]
    public void LibraryResumeMergesRecordedOptionsUnderOverrides()
    {
        string dir = TrainOneEpoch(Recorded());
        string last = Path.Combine(dir, "checkpoints", Checkpoint.LastFileName);

        var merged = RunConfiguration.ForResume(dir).Merge(new RunOverrides { Epochs = 2, ValidationSplit = 0.1 });
        Assert.That(merged.ResumedFrom, Is.EqualTo(last));
        Assert.That(merged.Model, Is.EqualTo("tinynet"));
        // Training options: the checkpoint's, but for what is given again.
        Assert.That(merged.Training, Is.EqualTo(Recorded().Training with { Epochs = 2 }));
        // Data options: config.json's, but for what is given again; the image size is the checkpoint's.
        Assert.That(merged.DataOptions, Is.EqualTo(new RunDataOptions { Augment = "light", ValidationSplit = 0.1, OnBadImage = OnBadImage.Skip, ImageSize = 28 }));
        Assert.That(merged.Recipe, Is.EqualTo("test recipe"));

        Assert.That(() => RunConfiguration.ForResume(dir).Merge(new RunOverrides { Model = "resnet18" }),
            Throws.TypeOf<CheckpointException>().With.Message.Contains("holds model 'tinynet', not 'resnet18'"));

        // The library resumes like the CLI: the merged configuration, then Resume from the recorded checkpoint.
        using (var model = TinyNets.Create(seed: 11))
        using (var trainer = new Trainer(model, merged, dir))
        {
            trainer.Resume(merged.ResumedFrom!);
            var result = trainer.Fit(new DigitBatches(0, 500, 50));
            Assert.That((result.EpochsCompleted, result.Step), Is.EqualTo((2, 6L)));
        }
        var after = RunConfiguration.Load(dir);
        Assert.That(after.ResumedFrom, Is.EqualTo(last));
        Assert.That(after.DataOptions!.ValidationSplit, Is.EqualTo(0.1));
        Assert.That(after.Training.Epochs, Is.EqualTo(2));
    }

    [Test]
    public void DefaultPresetsAndMissingConfigReadBackAsDefaults()
    {
        string dir = TrainOneEpoch(Recorded(augment: "mnist"));
        Assert.That(RunConfiguration.ForResume(dir).DataOptions!.Augment, Is.Null, "a default preset is recorded by name and read back as 'the default'");

        File.Delete(Path.Combine(dir, "config.json"));
        var resumed = RunConfiguration.ForResume(dir);
        Assert.That(resumed.DataOptions, Is.EqualTo(new RunDataOptions { ImageSize = 28 }));
        Assert.That(resumed.Training.LearningRate, Is.EqualTo(0.002));
    }
}
