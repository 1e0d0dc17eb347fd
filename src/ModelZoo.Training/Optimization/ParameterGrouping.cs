using ModelZoo.Weights;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace ModelZoo.Training;

/// <summary>Splits a model's trainable parameters into the optimiser's <see cref="ParameterGroup"/>s from the training options.</summary>
internal static class ParameterGrouping
{
    /// <summary>The suffix of a group's name for its parameters without weight decay (<c>all-no-decay</c>, <c>head-no-decay</c>).</summary>
    public const string NoDecaySuffix = "-no-decay";

    /// <summary>
    /// One group of every trainable parameter, or, with <see cref="TrainingOptions.BackboneLearningRate"/>, a
    /// <c>backbone</c> group at that rate and a <c>head</c> group (the model card's classifier and auxiliary heads) at
    /// <see cref="TrainingOptions.LearningRate"/>; both follow the schedule. With
    /// <see cref="TrainingOptions.NoDecayNormAndBias"/> each of those is split again: its parameters of rank 0 or 1
    /// (biases, batch-norm and other normalisation weights) go to a <c>&lt;name&gt;-no-decay</c> group with weight decay 0
    /// at the same rate (timm's rule). Empty groups are left out.
    /// </summary>
    /// <exception cref="ArgumentException">No trainable parameters, or a backbone rate for a model without a zoo card.</exception>
    public static IReadOnlyList<ParameterGroup> For(nn.Module model, TrainingOptions options)
    {
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        if (trainable.Count == 0) throw new ArgumentException("the model has no trainable parameters");
        var groups = new List<ParameterGroup>();
        if (options.BackboneLearningRate is not double backboneLr)
        {
            Add(groups, "all", trainable, 1.0, options);
            return groups;
        }

        if (model is not IZooModel zoo) throw new ArgumentException($"BackboneLearningRate needs a zoo model (its card names the head); {model.GetName()} is not one");
        var head = trainable.Where(p => PretrainedWeights.IsHeadParameter(zoo.Card, p.name)).ToList();
        var backbone = trainable.Where(p => !PretrainedWeights.IsHeadParameter(zoo.Card, p.name)).ToList();
        Add(groups, "backbone", backbone, backboneLr / options.LearningRate, options);
        Add(groups, "head", head, 1.0, options);
        return groups;
    }

    /// <summary>True for a parameter that <see cref="TrainingOptions.NoDecayNormAndBias"/> exempts from weight decay: rank 0 or 1 (biases, norm weights), as timm's <c>param_groups_weight_decay</c>.</summary>
    public static bool IsNoDecay(Parameter parameter) => parameter.dim() <= 1;

    private static void Add(List<ParameterGroup> groups, string name, List<(string name, Parameter parameter)> parameters, double scale, TrainingOptions options)
    {
        if (!options.NoDecayNormAndBias)
        {
            if (parameters.Count > 0) groups.Add(new ParameterGroup(name, parameters.Select(p => p.parameter).ToList(), scale, options.WeightDecay));
            return;
        }
        var decay = parameters.Where(p => !IsNoDecay(p.parameter)).Select(p => p.parameter).ToList();
        var noDecay = parameters.Where(p => IsNoDecay(p.parameter)).Select(p => p.parameter).ToList();
        if (decay.Count > 0) groups.Add(new ParameterGroup(name, decay, scale, options.WeightDecay));
        if (noDecay.Count > 0) groups.Add(new ParameterGroup(name + NoDecaySuffix, noDecay, scale, 0.0));
    }
}
