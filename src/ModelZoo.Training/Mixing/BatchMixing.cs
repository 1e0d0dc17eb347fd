using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Mixup and CutMix per batch with timm's <c>Mixup</c> semantics (mode "batch", <c>correct_lam</c> on): each image is
/// mixed with the batch flipped (image i with image n-1-i). With probability <see cref="MixProbability"/> a batch is
/// mixed; with both alphas above 0, CutMix is chosen with probability <see cref="SwitchProbability"/>, else mixup. Mixup:
/// <c>x = lambda x + (1 - lambda) flip(x)</c>, lambda ~ Beta(mixup alpha). CutMix: lambda ~ Beta(cutmix alpha), a box
/// of sides <c>int(H sqrt(1 - lambda))</c>, <c>int(W sqrt(1 - lambda))</c> centred at a uniform pixel and clipped to the
/// image is pasted from the flipped batch, and lambda becomes 1 minus the clipped box's share of the image. Targets:
/// <c>lambda onehot(y) + (1 - lambda) onehot(flip(y))</c> with label smoothing folded into each one-hot (off value
/// <c>s / classes</c>, on value <c>1 - s + s / classes</c>). The draws come from a generator seeded by (seed, step,
/// micro-batch), so a resumed run mixes exactly as the uninterrupted one.
/// </summary>
public sealed class BatchMixing
{
    /// <summary>Creates the mixer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range, or both alphas are 0.</exception>
    public BatchMixing(int classes, double mixupAlpha, double cutMixAlpha, double mixProbability = 1, double switchProbability = 0.5, double labelSmoothing = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (!(mixupAlpha >= 0) || !(cutMixAlpha >= 0) || mixupAlpha + cutMixAlpha <= 0)
            throw new ArgumentOutOfRangeException(nameof(mixupAlpha), "alphas must be non-negative and at least one positive");
        if (!(mixProbability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(mixProbability));
        if (!(switchProbability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(switchProbability));
        if (labelSmoothing is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(labelSmoothing));
        Classes = classes;
        MixupAlpha = mixupAlpha;
        CutMixAlpha = cutMixAlpha;
        MixProbability = mixProbability;
        SwitchProbability = switchProbability;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>The mixer for <paramref name="options"/> and <paramref name="classes"/> classes, or null when they mix nothing.</summary>
    public static BatchMixing? For(TrainingOptions options, int classes)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.MixesBatches) return null;
        if (classes < 1) throw new ArgumentException("mixup/CutMix need the class count (the descriptor's class names)");
        return new BatchMixing(classes, options.MixupAlpha, options.CutMixAlpha, options.MixProbability, options.MixSwitchProbability, options.LabelSmoothing);
    }

    /// <summary>Number of classes of the soft targets.</summary>
    public int Classes { get; }

    /// <summary>Mixup's Beta alpha (0: off).</summary>
    public double MixupAlpha { get; }

    /// <summary>CutMix's Beta alpha (0: off).</summary>
    public double CutMixAlpha { get; }

    /// <summary>Probability that a batch is mixed.</summary>
    public double MixProbability { get; }

    /// <summary>Probability of CutMix when both are on.</summary>
    public double SwitchProbability { get; }

    /// <summary>Label smoothing folded into the targets.</summary>
    public double LabelSmoothing { get; }

    /// <summary>Mixes <paramref name="images"/> [N, C, H, W] and their labels, with the draws of (seed, step, micro-batch). The results live in the caller's dispose scope.</summary>
    public MixedBatch Mix(Tensor images, Tensor labels, long seed, long step, int microBatch = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.dim() != 4) throw new ArgumentException($"images must be [N, C, H, W], got rank {images.dim()}", nameof(images));
        var rng = new MixRandom(seed, step, microBatch);
        double lambda = 1;
        bool cutmix = false;
        if (rng.NextDouble() < MixProbability)
        {
            if (MixupAlpha > 0 && CutMixAlpha > 0)
            {
                cutmix = rng.NextDouble() < SwitchProbability;
                lambda = rng.Beta(cutmix ? CutMixAlpha : MixupAlpha);
            }
            else if (MixupAlpha > 0) lambda = rng.Beta(MixupAlpha);
            else
            {
                cutmix = true;
                lambda = rng.Beta(CutMixAlpha);
            }
        }
        if (lambda == 1) return new MixedBatch(images.clone(), Targets(labels, 1), 1, false, null);
        var flipped = images.flip(0);
        if (!cutmix) return new MixedBatch(images * lambda + flipped * (1 - lambda), Targets(labels, lambda), lambda, false, null);

        int h = (int)images.shape[2], w = (int)images.shape[3];
        var box = CutMixBox(h, w, lambda, rng);
        double area = (box.Bottom - box.Top) * (double)(box.Right - box.Left);
        lambda = 1 - area / (h * (double)w);
        var x = images.clone();
        if (area > 0)
        {
            var rows = TensorIndex.Slice(box.Top, box.Bottom);
            var cols = TensorIndex.Slice(box.Left, box.Right);
            var all = TensorIndex.Colon;
            x[all, all, rows, cols] = flipped[all, all, rows, cols];
        }
        return new MixedBatch(x, Targets(labels, lambda), lambda, true, box);
    }

    /// <summary>timm's <c>rand_bbox</c>: sides int(H sqrt(1 - lambda)) and int(W sqrt(1 - lambda)), centre uniform, clipped to the image.</summary>
    internal static (int Top, int Bottom, int Left, int Right) CutMixBox(int h, int w, double lambda, MixRandom rng)
    {
        double ratio = Math.Sqrt(1 - lambda);
        int cutH = (int)(h * ratio), cutW = (int)(w * ratio);
        int cy = rng.NextInt(h), cx = rng.NextInt(w);
        return (Math.Clamp(cy - cutH / 2, 0, h), Math.Clamp(cy + cutH / 2, 0, h), Math.Clamp(cx - cutW / 2, 0, w), Math.Clamp(cx + cutW / 2, 0, w));
    }

    /// <summary><c>lambda onehot(y) + (1 - lambda) onehot(flip(y))</c>, label smoothing folded in (timm's <c>mixup_target</c>).</summary>
    public Tensor Targets(Tensor labels, double lambda)
    {
        ArgumentNullException.ThrowIfNull(labels);
        double off = LabelSmoothing / Classes, on = 1 - LabelSmoothing + off;
        var y = labels.to_type(ScalarType.Int64).view(-1);
        var y1 = nn.functional.one_hot(y, Classes).to_type(ScalarType.Float32) * (on - off) + off;
        var y2 = nn.functional.one_hot(y.flip(0), Classes).to_type(ScalarType.Float32) * (on - off) + off;
        return y1 * lambda + y2 * (1 - lambda);
    }
}
