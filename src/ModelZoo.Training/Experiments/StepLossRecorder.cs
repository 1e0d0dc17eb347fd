using static TorchSharp.torch;

namespace ModelZoo.Training.Experiments;

/// <summary>Wraps the trainer's task and reads every step's loss to the host (one small read per step).</summary>
internal sealed class StepLossRecorder(ITrainingTask inner) : ITrainingTask
{
    public List<double> Losses { get; } = [];

    /// <summary>Called with every step's loss as it is read.</summary>
    public Action<double>? OnLoss { get; set; }

    public (Tensor Loss, Tensor Logits) Compute(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target)
    {
        var result = inner.Compute(model, input, target);
        double loss = result.Loss.detach().to_type(ScalarType.Float64).item<double>();
        Losses.Add(loss);
        OnLoss?.Invoke(loss);
        return result;
    }
}
