using TorchSharp.Modules;

namespace ModelZoo.Training;

/// <summary>
/// Parameters the optimiser treats alike (PyTorch's param group): at every step their learning rate is the schedule's
/// rate times <see cref="LearningRateScale"/>, and they decay with <see cref="WeightDecay"/>.
/// </summary>
/// <param name="Name">What the group holds (<c>all</c>, <c>backbone</c>, <c>head</c>, and with <see cref="TrainingOptions.NoDecayNormAndBias"/> their <c>-no-decay</c> parts); shown in the run banner.</param>
/// <param name="Parameters">The trainable parameters of the group.</param>
/// <param name="LearningRateScale">Factor on the scheduled learning rate (1 for the head; <c>BackboneLearningRate / LearningRate</c> for the backbone).</param>
/// <param name="WeightDecay">Weight decay of the group.</param>
public sealed record ParameterGroup(string Name, IReadOnlyList<Parameter> Parameters, double LearningRateScale, double WeightDecay);
