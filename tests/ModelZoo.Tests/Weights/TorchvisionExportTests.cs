using ModelZoo.Weights;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// A ModelZoo model saved as safetensors under its torchvision names loads into torchvision with
/// <c>load_state_dict(strict=True)</c> and computes the same logits there.
/// </summary>
[NonParallelizable]
public class TorchvisionExportTests
{
    [TestCase("resnet18")]
    [TestCase("googlenet")]
    public void PyTorchLoadsTheExportStrictlyAndAgreesOnTheLogits(string name)
    {
        TorchReference.Require();
        string dir = Path.Combine(Path.GetTempPath(), "modelzoo-export-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            using var scope = NewDisposeScope();
            manual_seed(7);
            using var model = Zoo.Create(name, new ModelOptions { NumClasses = 1000, InChannels = 3, Seed = 7 });
            model.eval();
            // Non-trivial batch-norm statistics, so an export that dropped buffers would show.
            using (no_grad())
                foreach (var (key, buffer) in model.named_buffers())
                    if (key.EndsWith("running_mean", StringComparison.Ordinal)) buffer.uniform_(-0.2, 0.2);
            var x = randn(2, 3, 224, 224);
            Tensor expected;
            using (no_grad()) expected = model.call(x);

            string weights = Path.Combine(dir, name + ".safetensors"), input = Path.Combine(dir, "x.safetensors"), output = Path.Combine(dir, "y.safetensors");
            SafetensorsFile.Write(weights, model.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
            SafetensorsFile.Write(input, new Dictionary<string, Tensor> { ["x"] = x });
            TorchReference.RunScript("check_export.py", name, weights, input, output);

            var y = SafetensorsFile.Read(output)["y"];
            double diff = (y - expected).abs().max().item<float>();
            TestContext.Out.WriteLine($"{name}: max |PyTorch - ModelZoo| = {diff:E2}");
            Assert.That(diff, Is.LessThanOrEqualTo(1e-4));
            y.Dispose();
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
