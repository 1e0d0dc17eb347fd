using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Tests.Cli;
using ModelZoo.Training;
using ModelZoo.Weights;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// Fine-tuning end to end: torchvision resnet18 weights (random init, written by PyTorch) imported by
/// <c>train --pretrained --freeze-backbone</c> on the real imagenette-mini folder with a new 10-class head.
/// </summary>
[NonParallelizable]
[RestoresTorchThreads]
public class FineTuneCommandTests
{
    [Test]
    public async Task FreezingTheBackboneTrainsOnlyTheNewHead()
    {
        TorchReference.Require();
        string work = Directory.CreateTempSubdirectory("modelzoo-finetune-").FullName;
        try
        {
            TorchReference.RunScript("make_weights.py", work, "resnet18");
            string weights = Path.Combine(work, "resnet18.pth"), run = Path.Combine(work, "run");
            var (code, stdout, err) = await CliHarness.Run("train", "--model", "resnet18", "--pretrained", weights, "--freeze-backbone",
                "--data", TestPaths.Imagenette, "--epochs", "1", "--max-steps", "2", "--batch-size", "8", "--image-size", "64",
                "--threads", "2", "--output", run, "--json");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
            Assert.That(err, Does.Contain("new head for 10 classes"));
            using (var summary = JsonDocument.Parse(stdout)) Assert.That(summary.RootElement.GetProperty("steps").GetInt64(), Is.EqualTo(2));

            using var scope = NewDisposeScope();
            var (model, info) = Checkpoint.LoadModel(Path.Combine(run, "checkpoints", "last.ckpt"));
            Assert.That(info.ClassNames, Has.Count.EqualTo(10));
            var trained = model.state_dict();
            var imported = PretrainedWeights.Read(weights);
            foreach (var (key, value) in trained)
            {
                if (key.StartsWith("fc.", StringComparison.Ordinal) || key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
                Assert.That((value - imported[key]).abs().max().item<float>(), Is.Zero, $"{key} must stay as imported");
            }
            // The head started from the run's seeded initialisation and moved.
            using var fresh = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, InChannels = 3, Seed = 42 });
            Assert.That((trained["fc.weight"] - fresh.state_dict()["fc.weight"]).abs().max().item<float>(), Is.GreaterThan(0f), "the head was trained");
            Assert.That(Checkpoint.ReadTrainingOptions(Path.Combine(run, "checkpoints", "last.ckpt"))!.FreezeBackbone, Is.True, "recorded for resume");
            foreach (var t in imported.Values) t.Dispose();
            model.Dispose();
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    [Test]
    public async Task BackboneLearningRateTrainsTheBackboneSlowerThanTheHead()
    {
        TorchReference.Require();
        string work = Directory.CreateTempSubdirectory("modelzoo-finetune-").FullName;
        try
        {
            TorchReference.RunScript("make_weights.py", work, "resnet18");
            string weights = Path.Combine(work, "resnet18.pth"), run = Path.Combine(work, "run");
            var refused = await CliHarness.Run("train", "--model", "resnet18", "--pretrained", weights, "--freeze-backbone", "--lr-backbone", "1e-3",
                "--data", TestPaths.Imagenette, "--output", Path.Combine(work, "refused"));
            Assert.That(refused.Code, Is.EqualTo(ExitCodes.Usage));
            Assert.That(refused.Err, Does.Contain("--lr-backbone and --freeze-backbone"));
            Assert.That(Directory.Exists(Path.Combine(work, "refused")), Is.False);

            var (code, stdout, err) = await CliHarness.Run("train", "--model", "resnet18", "--pretrained", weights, "--lr-backbone", "1e-4",
                "--optimizer", "sgd", "--lr", "0.01", "--data", TestPaths.Imagenette, "--epochs", "1", "--max-steps", "2", "--batch-size", "8",
                "--image-size", "64", "--threads", "2", "--output", run);
            Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
            Assert.That(stdout, Does.Contain("lr 0.01 (backbone 0.0001)"));
            Assert.That(Checkpoint.ReadTrainingOptions(Path.Combine(run, "checkpoints", "last.ckpt"))!.BackboneLearningRate, Is.EqualTo(1e-4), "recorded for resume");

            using var scope = NewDisposeScope();
            var (model, _) = Checkpoint.LoadModel(Path.Combine(run, "checkpoints", "last.ckpt"));
            var trained = model.state_dict();
            var imported = PretrainedWeights.Read(weights);
            // Plain SGD: each weight moves by lr * gradient, so the backbone (at 1e-4) moved, but far less than it would at 1e-2.
            float conv1Change = (trained["conv1.weight"] - imported["conv1.weight"]).abs().max().item<float>();
            Assert.That(conv1Change, Is.GreaterThan(0f), "the backbone trained");
            Assert.That(conv1Change, Is.LessThan(1e-3f), "at the backbone's rate");
            foreach (var t in imported.Values) t.Dispose();
            model.Dispose();
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
