using ModelZoo.Data;
using ModelZoo.Native;
using ModelZoo.Tests.Cli;

namespace ModelZoo.Tests.Native;

/// <summary>
/// Issue 27, item 10: on CPUs where NNPACK cannot initialise (this project's VM), libtorch printed "Could not
/// initialize NNPACK! Reason: Unsupported hardware." for every eligible convolution, through the progress bar and
/// inspect's table. A resnet18 trained (forward and backward) and validated with batches of 16 (the size from which
/// libtorch considers NNPACK) in a child process must print no NNPACK line, and neither may <c>inspect</c>.
/// </summary>
[NonParallelizable]
public class NnpackTests
{
    [Test]
    public void TheGuardTurnsNnpackOffExactlyWhenItCannotInitialise()
    {
        TorchRuntime.TryInitialize(out _);
        NnpackGuard.Ensure();
        if (TorchRuntime.NnpackDisabledReason is string reason)
        {
            Assert.That(NnpackGuard.IsEnabled(), Is.False);
            Assert.That(reason, Does.Contain("NNPACK cannot initialise"));
        }
        else
        {
            Assert.That(NnpackGuard.IsEnabled(), Is.Not.False, "left as libtorch set it where NNPACK works");
        }
    }

    [Test, Category("NeedsZoo")]
    public void TrainingAndInspectingAResNetPrintNoNnpackWarning()
    {
        CliChild.RequireBuilt();
        string root = Path.Combine(Path.GetTempPath(), "mz-nnpack-" + Guid.NewGuid().ToString("N"));
        try
        {
            var digits = DataSpec.Resolve("mnist-sample").Train;
            int n = 0;
            foreach (string split in new[] { "train", "val" })
            foreach (string cls in new[] { "a", "b" })
            {
                string dir = Path.Combine(root, "data", split, cls);
                Directory.CreateDirectory(dir);
                for (int i = 0; i < 8; i++) TestPng.WriteGrey(Path.Combine(dir, $"{i}.png"), digits.Get(n++).Image);
            }
            var train = CliChild.Run("dotnet", [CliChild.RelativeDll, "train", "--model", "resnet18", "--data", Path.Combine(root, "data"), "--image-size", "32",
                "--epochs", "1", "--batch-size", "16", "--threads", "1", "--workers", "1", "--no-tensorboard", "-o", Path.Combine(root, "run")], TimeSpan.FromMinutes(8));
            Assert.That(train.ExitCode, Is.EqualTo(0), train.All);
            Assert.That(train.All, Does.Contain("epoch 1:"), "it trained and validated");
            Assert.That(train.All, Does.Not.Contain("NNPACK"));
            var inspect = CliChild.Run("dotnet", [CliChild.RelativeDll, "inspect", "--model", "resnet18"], TimeSpan.FromMinutes(3));
            Assert.That(inspect.ExitCode, Is.EqualTo(0), inspect.All);
            Assert.That(inspect.All, Does.Not.Contain("NNPACK"));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
