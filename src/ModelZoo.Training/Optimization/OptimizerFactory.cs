using TorchSharp;
using TorchSharp.Modules;

namespace ModelZoo.Training;

/// <summary>Builds the TorchSharp optimiser for <see cref="OptimizerKind"/>.</summary>
internal static class OptimizerFactory
{
    public static OptimizerHelper Create(IReadOnlyList<Parameter> parameters, TrainingOptions o) => o.Optimizer switch
    {
        OptimizerKind.Sgd => torch.optim.SGD(parameters, o.LearningRate, momentum: 0, weight_decay: o.WeightDecay),
        OptimizerKind.Momentum => torch.optim.SGD(parameters, o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay),
        OptimizerKind.Nesterov => torch.optim.SGD(parameters, o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay, nesterov: true),
        OptimizerKind.AdaGrad => torch.optim.Adagrad(parameters, o.LearningRate, weight_decay: o.WeightDecay),
        OptimizerKind.Adam => torch.optim.Adam(parameters, o.LearningRate, weight_decay: o.WeightDecay),
        OptimizerKind.AdamW => torch.optim.AdamW(parameters, o.LearningRate, weight_decay: o.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(o), $"unknown optimizer {o.Optimizer}"),
    };
}
