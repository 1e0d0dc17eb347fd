using ModelZoo.Data;
using ModelZoo.Data.Idx;
using ModelZoo.Data.Mnist;
using static TorchSharp.torch;

namespace ModelZoo.Tests;

/// <summary>
/// The real MNIST subset read once through the product's own IDX reader (<see cref="MnistFiles"/>), as normalised
/// floats for tests that train on real digits.
/// </summary>
internal static class SharedMnist
{
    /// <summary>MNIST's mean and standard deviation, as the zoo's MNIST pipeline normalises.</summary>
    public const float Mean = 0.1307f, Std = 0.3081f;

    private static readonly Lazy<(float[] Images, long[] Labels, int Count)> Train = new(() => Load(MnistFiles.Load(TestPaths.MnistSubset, MnistFamily.Mnist.ClassNames).Train));

    /// <summary>The training split: N x 784 normalised pixels, labels, N.</summary>
    public static (float[] Images, long[] Labels, int Count) TrainSet
    {
        get
        {
            _ = TestPaths.MnistSubset; // skip or fail with the shared-data message before the lazy load
            return Train.Value;
        }
    }

    /// <summary>The first <paramref name="count"/> training digits as (N x 1 x 28 x 28 images, N labels).</summary>
    public static (Tensor Images, Tensor Labels) TrainTensors(int count)
    {
        var (images, labels, n) = TrainSet;
        count = Math.Min(count, n);
        return (tensor(images.AsSpan(0, count * 784).ToArray(), [count, 1, 28, 28]), tensor(labels.AsSpan(0, count).ToArray()));
    }

    private static (float[], long[], int) Load(IdxDataset train)
    {
        int n = train.Count;
        var x = new float[n * 784];
        var y = new long[n];
        for (int i = 0; i < n; i++)
        {
            var raw = train.RawImage(i);
            if (raw.Length != 784) throw new InvalidDataException($"expected 28x28 digits, got {raw.Length} bytes");
            for (int p = 0; p < 784; p++) x[i * 784 + p] = (raw[p] / 255f - Mean) / Std;
            y[i] = train.LabelOf(i);
        }
        return (x, y, n);
    }
}
