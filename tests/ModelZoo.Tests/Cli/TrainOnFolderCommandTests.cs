using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Training;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// <c>modelzoo train</c> end to end on the real ImageNet-format folder (imagenette-mini, 224x224 JPEGs), through the
/// real data wiring: family alias, folder discovery with train/ and val/, decoding, the ImageNet training preset and
/// the class list written into the checkpoint.
/// </summary>
[Category("Slow")]
[RestoresTorchThreads]
public class TrainOnFolderCommandTests
{
    [Test]
    public async Task ResNetFamilyAliasTrainsOnImagenetteMini()
    {
        string data = TestPaths.Imagenette;
        string dir = Path.Combine(Path.GetTempPath(), "mz-folder-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, err) = await CliHarness.Run("train", "--model", "resnet", "--data", data, "--epochs", "1",
                "--max-steps", "2", "--batch-size", "8", "--threads", "2", "--output", dir, "--json");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
            using var json = JsonDocument.Parse(stdout);
            Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo("completed"));
            Assert.That(json.RootElement.GetProperty("steps").GetInt64(), Is.EqualTo(2));

            var info = Checkpoint.ReadInfo(Path.Combine(dir, "checkpoints", Checkpoint.LastFileName));
            Assert.That(info.ModelName, Is.EqualTo("resnet18"), "the family alias resolves to its documented default");
            var classes = Directory.GetDirectories(Path.Combine(data, "train")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            Assert.That(info.ClassNames, Is.EqualTo(classes), "class index = ordinal sort of the folder names");

            string metrics = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Single();
            using var epoch = JsonDocument.Parse(metrics);
            double trainLoss = epoch.RootElement.GetProperty("train_loss").GetDouble();
            double valLoss = epoch.RootElement.GetProperty("val_loss").GetDouble();
            Assert.That(double.IsFinite(trainLoss) && double.IsFinite(valLoss), $"train {trainLoss}, val {valLoss}");
            Assert.That(epoch.RootElement.GetProperty("val_acc").GetDouble(), Is.InRange(0.0, 1.0));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
