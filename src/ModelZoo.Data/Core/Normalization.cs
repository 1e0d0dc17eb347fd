namespace ModelZoo.Data;

/// <summary>Per-channel mean and standard deviation applied as (x - mean) / std; travels with checkpoints.</summary>
/// <param name="Mean">One value per channel.</param>
/// <param name="Std">One value per channel.</param>
public sealed record Normalization(float[] Mean, float[] Std)
{
    /// <summary>The ImageNet statistics torchvision's pretrained weights expect.</summary>
    public static Normalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>The usual MNIST statistics (mean 0.1307, std 0.3081).</summary>
    public static Normalization Mnist { get; } = new([0.1307f], [0.3081f]);

    /// <summary>The same statistics for <paramref name="channels"/> channels (repeats or averages as needed).</summary>
    public Normalization ForChannels(int channels)
    {
        if (channels == Mean.Length) return this;
        if (channels == 1) return new([Mean.Average()], [Std.Average()]);
        return new(Enumerable.Repeat(Mean[0], channels).ToArray(), Enumerable.Repeat(Std[0], channels).ToArray());
    }
}
