using ModelZoo.Data;
using ModelZoo.Tests.Training;
using ModelZoo.Training;

namespace ModelZoo.Tests.Docs;

/// <summary>
/// The C# samples in docs/training.md and docs/troubleshooting.md are compiled and run here, line for line: a test
/// below checks that every code line of each fence occurs in this file, so the guide cannot drift from the API.
/// </summary>
public class GuideSampleTests
{
    [Test]
    public void TrainingGuideSampleTrainsDeepCnn()
    {
        string[] classNames = Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var trainBatches = new DigitBatches(0, 400, 100);
        var validationBatches = new DigitBatches(7000, 500, 100, shuffle: false);
        using var cancellation = new CancellationTokenSource();
        CancellationToken cancellationToken = cancellation.Token;
        var reported = new List<string>();
        string previous = Environment.CurrentDirectory;
        string work = Directory.CreateTempSubdirectory("modelzoo-guide-").FullName;
        try
        {
            Environment.CurrentDirectory = work;

            // --- same code as docs/training.md ---
            var options = new ModelOptions { NumClasses = 10, InChannels = 1, Init = InitScheme.He, Seed = 42 };
            var model = Zoo.Create("deepcnn", options);
            var recipe = TrainingDefaults.For("deepcnn", "mnist");          // Adam, lr 1e-3, batch 100, 20 epochs
            var descriptor = new ModelDescriptor("deepcnn", options, classNames, Normalization.Mnist, 1, 28, "mnist-sample");
            using var trainer = new Trainer(model, recipe.Options, descriptor, runDirectory: "runs/deepcnn");
            trainer.Callbacks.Add(new ProgressCallback(p => Console.WriteLine($"{p.Epoch} {p.Batch}/{p.Batches} {p.Loss:F4}")));
            TrainingResult result = trainer.Fit(trainBatches, validationBatches, cancellationToken);
            // --- end of example ---

            Assert.That(recipe.Options.Optimizer, Is.EqualTo(OptimizerKind.Adam), "the comment in the guide");
            Assert.That(recipe.Options.LearningRate, Is.EqualTo(1e-3).Within(1e-12));
            Assert.That(recipe.Options.BatchSize, Is.EqualTo(100));
            Assert.That(recipe.Options.Epochs, Is.EqualTo(20));
            Assert.That(result.Status, Is.EqualTo(TrainingStatus.Completed));
            Assert.That(result.History, Has.Count.EqualTo(20));
            Assert.That(result.History[^1].TrainLoss, Is.LessThan(result.History[0].TrainLoss * 0.95), "loss goes down");
            Assert.That(result.History[^1].ValidationAccuracy, Is.GreaterThan(0.3), "well above chance (0.1) after 80 steps on 400 digits");
            Assert.That(File.Exists(Path.Combine(work, "runs", "deepcnn", "metrics.jsonl")), "run directory written where the guide says");
            Assert.That(Directory.Exists(Path.Combine(work, "runs", "deepcnn", "checkpoints")));
            model.Dispose();
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    [Test]
    public void TrainingGuideSessionSampleTrainsLikeTheCli()
    {
        string previous = Environment.CurrentDirectory;
        string work = Directory.CreateTempSubdirectory("modelzoo-guide-").FullName;
        try
        {
            Environment.CurrentDirectory = work;

            // --- same code as docs/training.md ---
            var request = new TrainingRequest
            {
                Layers = [RunSpecLayer.FromCode(s => s with { Model = "deepcnn", Data = "mnist-sample", Training = s.Training with { Epochs = 1, MaxStepsPerEpoch = 5 } })],
                RunDirectory = "deepcnn-session",
            };
            using var session = TrainingSession.Prepare(request);      // the built-in recipe, the policy, data, model, run folder
            foreach (string note in session.Plan.Notes) Console.WriteLine(note);
            TrainingResult result = session.Run();
            // --- end of example ---

            Assert.That(session.Plan.Spec.Training.Optimizer, Is.EqualTo(OptimizerKind.Adam), "the built-in deepcnn recipe under the code's layer");
            Assert.That(session.Plan.Spec.ModelOptions.Init, Is.EqualTo(InitScheme.He));
            Assert.That((result.EpochsCompleted, result.Step), Is.EqualTo((1, 5L)));
            Assert.That(File.Exists(Path.Combine(work, "deepcnn-session", "config.json")));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    [Test]
    public void TrainingGuideResumeSampleResumesLikeTheCli()
    {
        var trainBatches = new DigitBatches(0, 200, 100);
        var validationBatches = new DigitBatches(7000, 200, 100, shuffle: false);
        string previous = Environment.CurrentDirectory;
        string work = Directory.CreateTempSubdirectory("modelzoo-guide-").FullName;
        try
        {
            Environment.CurrentDirectory = work;
            var options = new ModelOptions { NumClasses = 10, InChannels = 1, Init = InitScheme.He, Seed = 42 };
            var recorded = RunConfiguration.For(
                new ModelDescriptor("deepcnn", options, Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), Normalization.Mnist, 1, 28, "mnist-sample"),
                TrainingDefaults.For("deepcnn", "mnist").Options with { Epochs = 1, Threads = 1, MaxStepsPerEpoch = 2 });
            recorded = recorded with { Spec = recorded.Spec with { DataOptions = new RunDataOptions { Augment = "none" } } };
            using (var first = Zoo.Create("deepcnn", options))
            using (var t = new Trainer(first, recorded, "runs/deepcnn"))
                t.Fit(trainBatches, validationBatches);

            // --- same code as docs/training.md ---
            using var session = TrainingSession.Prepare(new TrainingRequest
            {
                Resume = "runs/deepcnn",
                Layers = [RunSpecLayer.FromCode(s => s with { Training = s.Training with { Epochs = 2 } })],
            });
            TrainingResult result = session.Run();
            // --- end of example ---

            Assert.That(session.Plan.Spec.DataOptions.Augment, Is.EqualTo("none"), "data options recorded in config.json");
            Assert.That(session.Plan.Spec.Training.MaxStepsPerEpoch, Is.EqualTo(2), "training options recorded in the checkpoint");
            Assert.That((result.EpochsCompleted, result.History.Count, result.Step), Is.EqualTo((2, 1, 4L)));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    [Test]
    public void TroubleshootingSampleReportsLoadedTorch()
    {
        int exitCode = Check();
        Assert.That(exitCode, Is.EqualTo(0), "TorchSharp loads on this machine, so the sample falls through");

        static int Check()
        {
            if (!ModelZoo.TorchRuntime.TryInitialize(out string? diagnosis))
            {
                Console.Error.WriteLine(diagnosis);
                return 1;
            }
            return 0;
        }
    }

    [TestCase("training.md", 3)]
    [TestCase("troubleshooting.md", 1)]
    public void GuideSamplesAreTheTestedCode(string file, int expectedFences)
    {
        string guide = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", file));
        var fences = DocsTests.Fences(guide).Where(f => f.Language == "csharp").ToList();
        Assert.That(fences, Has.Count.EqualTo(expectedFences), $"docs/{file}: C# samples this test knows about");
        string source = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.Tests", "Docs", "GuideSampleTests.cs"));
        var tested = source.Split('\n').Select(l => l.Trim()).ToHashSet();
        static bool IsCode(string l) => l.Length > 1 && !l.StartsWith("//", StringComparison.Ordinal)
            && !(l.StartsWith("using ", StringComparison.Ordinal) && !l.StartsWith("using var ", StringComparison.Ordinal));
        foreach (string line in fences.SelectMany(f => f.Lines).Select(l => l.Trim()).Where(IsCode))
            Assert.That(tested.Contains(line), $"docs/{file} sample line not compiled and run by this test: {line}");
    }
}
