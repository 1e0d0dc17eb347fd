using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Data;

/// <summary>
/// One batch: images as a contiguous float tensor (N, C, H, W) and labels as an int64 tensor (N).
/// The consumer owns it and must dispose it (or let an enclosing dispose scope do so).
/// </summary>
public sealed class Batch : IDisposable
{
    /// <summary>Wraps the two tensors; the batch takes ownership.</summary>
    public Batch(Tensor images, Tensor labels, int[] indices)
    {
        Images = images;
        Labels = labels;
        Indices = indices;
    }

    /// <summary>Images, float32, shape (N, C, H, W).</summary>
    public Tensor Images { get; }

    /// <summary>Labels, int64, shape (N).</summary>
    public Tensor Labels { get; }

    /// <summary>The data-set indices of the samples, in batch order.</summary>
    public int[] Indices { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Indices.Length;

    /// <summary>Moves both tensors into the current dispose scope (or detaches them from it when there is none).</summary>
    public void MoveToOuterDisposeScope()
    {
        Images.MoveToOuterDisposeScope();
        Labels.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
