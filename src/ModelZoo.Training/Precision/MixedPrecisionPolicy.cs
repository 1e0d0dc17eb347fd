using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Mixed-precision training (PyTorch's <c>autocast</c> + <c>GradScaler</c> recipe): the forward pass runs in an
/// <see cref="Autocast"/> region, so convolutions, linear layers and matrix products compute in bfloat16 or float16
/// while the weights the optimiser updates (the master weights), the optimiser state, the loss and the batch-norm
/// statistics stay float32. float16 adds <see cref="DynamicLossScaling"/> (its scale saved in checkpoints, so resume is
/// exact); bfloat16 has float32's range and needs none. Gradients reach the hooks unscaled.
/// </summary>
public sealed class MixedPrecisionPolicy : IPrecisionPolicy
{
    private static readonly IReadOnlyDictionary<string, double> NoState = new Dictionary<string, double>();

    /// <summary>Creates the policy for <paramref name="precision"/> on <paramref name="device"/>.</summary>
    /// <param name="precision"><see cref="ComputePrecision.Bf16"/> or <see cref="ComputePrecision.Fp16"/>.</param>
    /// <param name="device">The device type the model runs on.</param>
    /// <param name="lossScaling">float16's loss scaling; null makes one with GradScaler's defaults. Ignored for bfloat16.</param>
    /// <exception cref="ArgumentException"><paramref name="precision"/> is float32 (use <see cref="FullPrecisionPolicy"/>).</exception>
    public MixedPrecisionPolicy(ComputePrecision precision, DeviceType device = DeviceType.CPU, DynamicLossScaling? lossScaling = null)
    {
        if (precision == ComputePrecision.Fp32)
            throw new ArgumentException("fp32 needs no mixed-precision policy; use FullPrecisionPolicy", nameof(precision));
        Precision = precision;
        Device = device;
        LossScaling = precision == ComputePrecision.Fp16 ? lossScaling ?? new DynamicLossScaling() : null;
    }

    /// <summary>The compute precision of the forward pass.</summary>
    public ComputePrecision Precision { get; }

    /// <inheritdoc />
    public ComputePrecision ForwardPrecision => Precision;

    /// <summary>The device type autocast is entered for.</summary>
    public DeviceType Device { get; }

    /// <summary>The loss scaling (float16 only); null for bfloat16.</summary>
    public DynamicLossScaling? LossScaling { get; }

    /// <inheritdoc />
    public void Prepare(nn.Module<Tensor, Tensor> model) { }

    /// <inheritdoc />
    public (Tensor Loss, Tensor Logits) Forward(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target, ITrainingTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        using var region = Autocast.Enter(Precision, Device);
        return task.Compute(model, input, target);
    }

    /// <inheritdoc />
    public Tensor ScaleForBackward(Tensor loss) => LossScaling?.ScaleForBackward(loss) ?? loss;

    /// <inheritdoc />
    public void Unscale(IReadOnlyList<Parameter> parameters) => LossScaling?.Unscale(parameters);

    /// <inheritdoc />
    public bool ShouldStep(IReadOnlyList<Parameter> parameters) => LossScaling?.ShouldStep(parameters) ?? true;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> GetState() => LossScaling?.GetState() ?? NoState;

    /// <inheritdoc />
    public void LoadState(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        // A bf16 policy has no state; a checkpoint written under fp32/bf16 has none to give an fp16 one, which then starts at its initial scale.
        if (LossScaling is not null && state.Count > 0) LossScaling.LoadState(state);
    }

    /// <summary>The policy for <paramref name="precision"/>: <see cref="FullPrecisionPolicy.Instance"/> for float32, else a new mixed-precision one.</summary>
    public static IPrecisionPolicy For(ComputePrecision precision, DeviceType device) =>
        precision == ComputePrecision.Fp32 ? FullPrecisionPolicy.Instance : new MixedPrecisionPolicy(precision, device);
}
