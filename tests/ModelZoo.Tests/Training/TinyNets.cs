using ModelZoo.Data;
using ModelZoo.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

internal static class TinyNets
{
    /// <summary>conv(1->4) -> relu -> maxpool -> dropout -> linear(676->10); seeded.</summary>
    public static nn.Module<Tensor, Tensor> Create(long seed = 7, double dropout = 0.25)
    {
        torch.manual_seed(seed);
        return nn.Sequential(
            ("conv", nn.Conv2d(1, 4, 3)),
            ("relu", nn.ReLU()),
            ("pool", nn.MaxPool2d(2)),
            ("flat", nn.Flatten()),
            ("drop", nn.Dropout(dropout)),
            ("fc", nn.Linear(4 * 13 * 13, 10)));
    }

    public static ModelDescriptor Descriptor => new(
        "tinynet", new ModelOptions { NumClasses = 10, InChannels = 1 },
        Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        Normalization.Mnist, 1, 28, "mnist-sample");

    public static TrainingOptions Options => new()
    {
        Epochs = 1, BatchSize = 50, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Threads = 1, TensorBoard = false, Seed = 3,
    };

    public static float[] Weights(nn.Module model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().SelectMany(p => p.detach().cpu().flatten().data<float>().ToArray()).ToArray();
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "modelzoo-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
