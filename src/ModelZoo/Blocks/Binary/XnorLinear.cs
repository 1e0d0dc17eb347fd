using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks.Binary;

/// <summary>
/// The XNOR-popcount inference path of a <see cref="BinaryLinear"/> (eval mode, CPU, batch-1 friendly): the sign bits of
/// the weight are packed into <c>ulong</c> words once, each input is binarised and packed the same way, and a ±1 dot
/// product of length <c>n</c> is <c>n - 2 * popcount(w XOR x)</c> (<see cref="BitOperations.PopCount(ulong)"/>). The
/// integer is then multiplied by the layer's alpha and its bias is added in float32, the same operations in the same
/// order as the float path, so the output equals <see cref="BinaryLinear"/>'s forward bit for bit. A snapshot: rebuild
/// it after the weights change.
/// </summary>
public sealed class XnorLinear
{
    private readonly ulong[] weightBits;
    private readonly float[]? scale;
    private readonly float[]? bias;

    /// <summary>Packs the layer's current weights (and copies its alpha and bias).</summary>
    /// <param name="layer">A binary linear layer that binarises its input.</param>
    /// <exception cref="ArgumentException">The layer keeps real-valued inputs (no XNOR form exists).</exception>
    public XnorLinear(BinaryLinear layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (!layer.Binary.BinarizeInput)
            throw new ArgumentException("the XNOR-popcount path needs binarised inputs (BinaryLayerOptions.BinarizeInput)", nameof(layer));
        InFeatures = checked((int)layer.InFeatures);
        OutFeatures = checked((int)layer.OutFeatures);
        Words = (InFeatures + 63) / 64;
        using var scope = torch.NewDisposeScope();
        var w = layer.Weight.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        weightBits = new ulong[OutFeatures * Words];
        for (int o = 0; o < OutFeatures; o++)
            PackSigns(w.AsSpan(o * InFeatures, InFeatures), weightBits.AsSpan(o * Words, Words));
        scale = layer.CurrentScale()?.cpu().to(ScalarType.Float32).data<float>().ToArray();
        bias = layer.Bias?.detach().cpu().to(ScalarType.Float32).data<float>().ToArray();
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>64-bit words per packed row.</summary>
    public int Words { get; }

    /// <summary>Packed weight size in bytes (1 bit per weight, rows padded to 64 bits).</summary>
    public long PackedBytes => weightBits.LongLength * sizeof(ulong);

    /// <summary>Sets bit <c>i % 64</c> of word <c>i / 64</c> where <c>values[i] &gt;= 0</c> (sign(0) = +1); padding bits stay 0.</summary>
    /// <param name="values">The values.</param>
    /// <param name="words">At least <c>ceil(values.Length / 64)</c> words, overwritten.</param>
    /// <exception cref="ArgumentException"><paramref name="words"/> is too short.</exception>
    public static void PackSigns(ReadOnlySpan<float> values, Span<ulong> words)
    {
        int needed = (values.Length + 63) / 64;
        if (words.Length < needed) throw new ArgumentException($"{values.Length} values need {needed} words, got {words.Length}", nameof(words));
        words[..needed].Clear();
        for (int i = 0; i < values.Length; i++)
            if (values[i] >= 0) words[i >> 6] |= 1UL << (i & 63);
    }

    /// <summary>One sample: binarises <paramref name="input"/> and writes the <see cref="OutFeatures"/> outputs.</summary>
    /// <param name="input"><see cref="InFeatures"/> values (any reals; only their signs matter).</param>
    /// <param name="output"><see cref="OutFeatures"/> values, overwritten.</param>
    /// <param name="scratch">Optional <see cref="Words"/> words of scratch space (avoids an allocation per call).</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, Span<ulong> scratch = default)
    {
        if (input.Length != InFeatures) throw new ArgumentException($"expected {InFeatures} inputs, got {input.Length}", nameof(input));
        if (output.Length != OutFeatures) throw new ArgumentException($"expected {OutFeatures} outputs, got {output.Length}", nameof(output));
        Span<ulong> x = scratch.Length >= Words ? scratch[..Words] : new ulong[Words];
        PackSigns(input, x);
        for (int o = 0; o < OutFeatures; o++)
        {
            var row = weightBits.AsSpan(o * Words, Words);
            int mismatches = 0;
            for (int k = 0; k < row.Length; k++) mismatches += BitOperations.PopCount(row[k] ^ x[k]);
            float y = InFeatures - 2 * mismatches;
            if (scale is not null) y *= scale[o];
            if (bias is not null) y += bias[o];
            output[o] = y;
        }
    }

    /// <summary>A batch <c>[N, InFeatures]</c> (float32, CPU or not) through <see cref="Forward(ReadOnlySpan{float}, Span{float}, Span{ulong})"/>; returns <c>[N, OutFeatures]</c> on the CPU.</summary>
    /// <param name="input">The batch.</param>
    /// <exception cref="ArgumentException">The input is not <c>[N, InFeatures]</c>.</exception>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 2 || input.shape[1] != InFeatures)
            throw new ArgumentException($"expected [N, {InFeatures}], got [{string.Join(", ", input.shape)}]", nameof(input));
        int n = checked((int)input.shape[0]);
        var x = input.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var y = new float[n * OutFeatures];
        var scratch = new ulong[Words];
        for (int i = 0; i < n; i++)
            Forward(x.AsSpan(i * InFeatures, InFeatures), y.AsSpan(i * OutFeatures, OutFeatures), scratch);
        return torch.tensor(y, [n, OutFeatures]);
    }
}
