using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Dynamic loss scaling (PyTorch's <c>GradScaler</c>, which TorchSharp 0.107 lacks), the part of fp16 training that
/// keeps small gradients from flushing to zero: the loss is multiplied by <see cref="Scale"/> before backward, the
/// gradients are divided by it before the gradient hooks (so clipping and the all-reduce see true gradients), and a
/// step whose gradients are not all finite is skipped and halves the scale (<see cref="BackoffFactor"/>); after
/// <see cref="GrowthInterval"/> clean steps in a row the scale doubles (<see cref="GrowthFactor"/>). The scale and the
/// clean-step count are saved in checkpoints, so a resumed run continues with the same scale. The defaults are
/// GradScaler's (2^16, 2, 0.5, 2000). The forward pass is the task's own: casting to a 16-bit compute type is a
/// separate concern of the policy that wraps the forward pass.
/// </summary>
public sealed class DynamicLossScaling : IPrecisionPolicy
{
    private const string ScaleKey = "loss_scale";
    private const string CleanStepsKey = "loss_scale_clean_steps";
    private const string SkippedKey = "loss_scale_skipped_steps";

    /// <summary>Creates the policy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive scale or interval, a growth factor not above 1, or a backoff not in (0, 1).</exception>
    public DynamicLossScaling(double initialScale = 65536.0, double growthFactor = 2.0, double backoffFactor = 0.5, int growthInterval = 2000)
    {
        if (!(initialScale > 0) || double.IsInfinity(initialScale)) throw new ArgumentOutOfRangeException(nameof(initialScale), "the initial scale must be positive and finite");
        if (!(growthFactor > 1)) throw new ArgumentOutOfRangeException(nameof(growthFactor), "the growth factor must be above 1");
        if (backoffFactor is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(backoffFactor), "the backoff factor must be in (0, 1)");
        if (growthInterval < 1) throw new ArgumentOutOfRangeException(nameof(growthInterval), "the growth interval must be at least 1");
        Scale = initialScale;
        GrowthFactor = growthFactor;
        BackoffFactor = backoffFactor;
        GrowthInterval = growthInterval;
    }

    /// <summary>The current loss scale.</summary>
    public double Scale { get; private set; }

    /// <summary>Factor the scale grows by after <see cref="GrowthInterval"/> clean steps.</summary>
    public double GrowthFactor { get; }

    /// <summary>Factor the scale shrinks by after a step with non-finite gradients.</summary>
    public double BackoffFactor { get; }

    /// <summary>Clean steps in a row before the scale grows.</summary>
    public int GrowthInterval { get; }

    /// <summary>Clean steps since the last growth or overflow.</summary>
    public int CleanSteps { get; private set; }

    /// <summary>Steps skipped because their gradients overflowed.</summary>
    public long SkippedSteps { get; private set; }

    /// <inheritdoc />
    public void Prepare(nn.Module<Tensor, Tensor> model) { }

    /// <inheritdoc />
    public (Tensor Loss, Tensor Logits) Forward(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target, ITrainingTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Compute(model, input, target);
    }

    /// <inheritdoc />
    public Tensor ScaleForBackward(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return loss.mul(Scale);
    }

    /// <inheritdoc />
    public void Unscale(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double inverse = 1.0 / Scale;
        using var noGrad = no_grad();
        foreach (var p in parameters)
        {
            using var g = p.grad;
            g?.mul_(inverse);
        }
    }

    /// <inheritdoc />
    public bool ShouldStep(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        // Checked after the gradient hooks, so under data parallelism every rank sees the all-reduced gradients and
        // takes the same decision.
        bool finite;
        using (var scope = NewDisposeScope())
        {
            var flags = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => isfinite(g!).all()).ToList();
            finite = flags.Count == 0 || stack(flags).all().item<bool>();
        }
        if (!finite)
        {
            Scale *= BackoffFactor;
            CleanSteps = 0;
            SkippedSteps++;
            return false;
        }
        if (++CleanSteps >= GrowthInterval)
        {
            Scale *= GrowthFactor;
            CleanSteps = 0;
        }
        return true;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        [ScaleKey] = Scale, [CleanStepsKey] = CleanSteps, [SkippedKey] = SkippedSteps,
    };

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The state has no loss scale, or an invalid one.</exception>
    public void LoadState(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.TryGetValue(ScaleKey, out double scale) || !(scale > 0) || double.IsInfinity(scale))
            throw new ArgumentException($"the checkpoint's precision state has no valid '{ScaleKey}' ({string.Join(", ", state.Keys)})", nameof(state));
        Scale = scale;
        CleanSteps = state.TryGetValue(CleanStepsKey, out double clean) ? (int)clean : 0;
        SkippedSteps = state.TryGetValue(SkippedKey, out double skipped) ? (long)skipped : 0;
    }
}
