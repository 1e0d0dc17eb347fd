using TorchSharp;
using TorchSharp.Modules;

namespace ModelZoo.Training;

/// <summary>
/// Gradient clipping as an <see cref="IGradientHook"/>: first the total L2 norm of all gradients is scaled down to at
/// most <see cref="MaxNorm"/> (<c>torch.nn.utils.clip_grad_norm_</c>), then every element is clamped to
/// [-<see cref="MaxValue"/>, <see cref="MaxValue"/>] (<c>clip_grad_value_</c>). The trainer runs the one built from
/// <see cref="TrainingOptions.ClipGradNorm"/> and <see cref="TrainingOptions.ClipGradValue"/> after the gradients are
/// unscaled and after <see cref="Trainer.GradientHooks"/> (so after a data-parallel all-reduce), before the optimiser step.
/// </summary>
public sealed class GradientClipping : IGradientHook
{
    /// <summary>Creates the hook; either limit may be null (not applied).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive and finite.</exception>
    public GradientClipping(double? maxNorm, double? maxValue)
    {
        if (maxNorm is double n && (!(n > 0) || double.IsInfinity(n))) throw new ArgumentOutOfRangeException(nameof(maxNorm), n, "must be positive and finite");
        if (maxValue is double v && (!(v > 0) || double.IsInfinity(v))) throw new ArgumentOutOfRangeException(nameof(maxValue), v, "must be positive and finite");
        MaxNorm = maxNorm;
        MaxValue = maxValue;
    }

    /// <summary>The hook for <paramref name="options"/>, or null when they clip nothing.</summary>
    public static GradientClipping? For(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ClipGradNorm is null && options.ClipGradValue is null ? null : new GradientClipping(options.ClipGradNorm, options.ClipGradValue);
    }

    /// <summary>The largest total L2 norm of the gradients, or null.</summary>
    public double? MaxNorm { get; }

    /// <summary>The largest absolute gradient element, or null.</summary>
    public double? MaxValue { get; }

    /// <summary>The total gradient norm before clipping at the last call (NaN before any call or without <see cref="MaxNorm"/>).</summary>
    public double LastNorm { get; private set; } = double.NaN;

    /// <inheritdoc />
    public void OnGradients(IReadOnlyList<Parameter> parameters, long step)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = torch.NewDisposeScope();
        var withGrad = parameters.Where(p => p.grad is not null).ToList();
        if (withGrad.Count == 0) return;
        if (MaxNorm is double norm) LastNorm = torch.nn.utils.clip_grad_norm_(withGrad, norm);
        if (MaxValue is double value) torch.nn.utils.clip_grad_value_(withGrad, value);
    }
}
