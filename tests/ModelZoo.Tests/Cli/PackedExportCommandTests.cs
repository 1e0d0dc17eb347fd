using System.Text.Json;
using ModelZoo.Blocks.Binary;
using ModelZoo.Cli;
using ModelZoo.Training;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Cli;

/// <summary><c>modelzoo export --format packed</c> on a briefly trained bnn-mnist: the packed file gives the checkpoint's logits.</summary>
[RestoresTorchThreads]
public class PackedExportCommandTests
{
    [Test]
    public async Task PackedExportRoundTripsAndIsMuchSmaller()
    {
        string run = Path.Combine(Path.GetTempPath(), "mz-packed-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, trainOut, err) = await CliHarness.Run("train", "--model", "bnn-mnist", "--data", "mnist-sample", "--epochs", "1",
                "--max-steps", "5", "--output", run, "--threads", "2");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
            using (var model = Zoo.Create("bnn-mnist"))
            {
                var summary = ModelZoo.Inspection.ModelInspector.Summarize(model, [1, 28, 28]);
                Assert.That(trainOut, Does.Contain(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{summary.BinaryParameters:N0} of them 1-bit: weights packed {summary.MemoryBytes:N0} B")), "the run reports its packed size");
            }
            string packed = Path.Combine(run, "bnn.packed.safetensors");
            (code, var stdout, err) = await CliHarness.Run("export", "--checkpoint", run, "--format", "packed", "--output", packed, "--json");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
            using (var doc = JsonDocument.Parse(stdout))
            {
                long bytes = doc.RootElement.GetProperty("bytes").GetInt64(), checkpointBytes = doc.RootElement.GetProperty("checkpoint_bytes").GetInt64();
                Assert.That(bytes, Is.EqualTo(new FileInfo(packed).Length));
                Assert.That(bytes * 10, Is.LessThan(checkpointBytes), "1-bit weights make the file far smaller than the float32 checkpoint");
            }

            using var scope = NewDisposeScope();
            var (trained, _) = Checkpoint.LoadModel(Checkpoint.ResolveBestPath(run));
            using var restored = Zoo.Create("bnn-mnist");
            BinaryPacking.Load(restored, packed);
            restored.eval();
            var x = SharedMnist.TrainTensors(16).Images;
            using (no_grad())
                Assert.That((trained.call(x) - restored.call(x)).abs().max().item<float>(), Is.Zero, "identical logits from the packed file");
            trained.Dispose();

            (code, _, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "1", "--max-steps", "2", "--output", run + "-real", "--threads", "2");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
            (code, _, err) = await CliHarness.Run("export", "--checkpoint", run + "-real", "--format", "packed", "--output", Path.Combine(run, "x.packed"));
            Assert.That(code, Is.EqualTo(ExitCodes.Failure));
            Assert.That(err, Does.Contain("no binary layers"));
        }
        finally
        {
            foreach (var dir in new[] { run, run + "-real" })
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
