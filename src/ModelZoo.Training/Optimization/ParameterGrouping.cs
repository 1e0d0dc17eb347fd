using ModelZoo.Weights;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace ModelZoo.Training;

/// <summary>Splits a model's trainable parameters into the optimiser's <see cref="ParameterGroup"/>s from the training options.</summary>
internal static class ParameterGrouping
{
    /// <summary>
    /// One group of every trainable parameter, or, with <see cref="TrainingOptions.BackboneLearningRate"/>, a
    /// <c>backbone</c> group at that rate and a <c>head</c> group (the model card's classifier and auxiliary heads) at
    /// <see cref="TrainingOptions.LearningRate"/>; both follow the schedule. Empty groups are left out.
    /// </summary>
    /// <exception cref="ArgumentException">No trainable parameters, or a backbone rate for a model without a zoo card.</exception>
    public static IReadOnlyList<ParameterGroup> For(nn.Module model, string modelName, TrainingOptions options)
    {
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        if (trainable.Count == 0) throw new ArgumentException("the model has no trainable parameters");
        if (options.BackboneLearningRate is not double backboneLr)
            return [new ParameterGroup("all", trainable.Select(p => p.parameter).ToList(), 1.0, options.WeightDecay)];

        try { Zoo.Card(modelName); }
        catch (UnknownModelException) { throw new ArgumentException($"BackboneLearningRate needs a zoo model (its card names the head); '{modelName}' is not one"); }
        var head = trainable.Where(p => PretrainedWeights.IsHeadParameter(modelName, p.name)).Select(p => p.parameter).ToList();
        var backbone = trainable.Where(p => !PretrainedWeights.IsHeadParameter(modelName, p.name)).Select(p => p.parameter).ToList();
        var groups = new List<ParameterGroup>();
        if (backbone.Count > 0) groups.Add(new ParameterGroup("backbone", backbone, backboneLr / options.LearningRate, options.WeightDecay));
        if (head.Count > 0) groups.Add(new ParameterGroup("head", head, 1.0, options.WeightDecay));
        return groups;
    }
}
