using TorchSharp;
using TorchSharp.Modules;

namespace ModelZoo.Training;

/// <summary>Builds the TorchSharp optimiser for <see cref="OptimizerKind"/>, one TorchSharp param group per <see cref="ParameterGroup"/>.</summary>
internal static class OptimizerFactory
{
    public static OptimizerHelper Create(IReadOnlyList<ParameterGroup> groups, TrainingOptions o)
    {
        double Lr(ParameterGroup g) => o.LearningRate * g.LearningRateScale;
        return o.Optimizer switch
        {
            OptimizerKind.Sgd => torch.optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, Lr(g), momentum: 0, weight_decay: g.WeightDecay)), o.LearningRate),
            OptimizerKind.Momentum => torch.optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, Lr(g), momentum: o.Momentum, weight_decay: g.WeightDecay)), o.LearningRate, momentum: o.Momentum),
            OptimizerKind.Nesterov => torch.optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, Lr(g), momentum: o.Momentum, weight_decay: g.WeightDecay, nesterov: true)), o.LearningRate, momentum: o.Momentum, nesterov: true),
            OptimizerKind.AdaGrad => torch.optim.Adagrad(groups.Select(g => new Adagrad.ParamGroup(g.Parameters, Lr(g), weight_decay: g.WeightDecay)), o.LearningRate),
            OptimizerKind.Adam => torch.optim.Adam(groups.Select(g => new Adam.ParamGroup(g.Parameters, Lr(g), weight_decay: g.WeightDecay)), o.LearningRate),
            OptimizerKind.AdamW => torch.optim.AdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters, Lr(g), weight_decay: g.WeightDecay)), o.LearningRate),
            _ => throw new ArgumentOutOfRangeException(nameof(o), $"unknown optimizer {o.Optimizer}"),
        };
    }
}
