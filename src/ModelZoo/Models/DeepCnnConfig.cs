namespace ModelZoo.Models;

/// <summary>
/// The shape of a <see cref="DeepCnn"/>: the six convolution widths (three pooled stages of two), whether a batch norm
/// follows every convolution (the convolution then has no bias), the width of the hidden dense layer and whether a
/// dropout follows the logits (the book's layout). The network keeps the book's topology in every configuration:
/// 3x3 convolutions with padding 1 except the fourth (padding 2), 2x2 max-pools after the second, fourth and sixth,
/// a 4x4 adaptive average pool and <c>flatten -> Hidden -> classes</c>.
/// </summary>
/// <param name="Widths">Output channels of the six convolutions.</param>
/// <param name="BatchNorm">A <c>BatchNorm2d</c> after every convolution (conv bias off).</param>
/// <param name="Hidden">Width of the hidden dense layer.</param>
/// <param name="DropoutOnLogits">A dropout after the last linear layer (the book's network has one).</param>
public sealed record DeepCnnConfig(IReadOnlyList<long> Widths, bool BatchNorm, long Hidden, bool DropoutOnLogits)
{
    /// <summary>The book's network (16-16-32-32-64-64, no batch norm, dense 50, dropout on the logits).</summary>
    public static DeepCnnConfig Book { get; } = new([16, 16, 32, 32, 64, 64], false, 50, true);

    /// <summary>
    /// <c>deepcnn_wide</c>: twice the book's widths (32-32-64-64-128-128), batch norm after every convolution,
    /// dense 256, no dropout on the logits.
    /// </summary>
    public static DeepCnnConfig Wide { get; } = new([32, 32, 64, 64, 128, 128], true, 256, false);

    /// <summary>Checks the configuration.</summary>
    /// <exception cref="ArgumentException">Not six positive widths, or a non-positive hidden width.</exception>
    public void Validate()
    {
        if (Widths is null || Widths.Count != 6 || Widths.Any(w => w < 1))
            throw new ArgumentException($"deepcnn needs six positive convolution widths, got [{string.Join(", ", Widths ?? [])}]", nameof(Widths));
        if (Hidden < 1) throw new ArgumentException($"deepcnn needs a positive hidden width, got {Hidden}", nameof(Hidden));
    }

    /// <summary>Index in <c>features</c> of each stage's last activation (the one before its max-pool).</summary>
    internal IReadOnlyList<int> StageOutputIndices()
    {
        int perConv = BatchNorm ? 3 : 2;
        return [2 * perConv - 1, 4 * perConv, 6 * perConv + 1];
    }
}
