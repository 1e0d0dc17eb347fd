namespace ModelZoo.Training;

/// <summary>
/// The linear scaling rule (Goyal et al. 2017, "Accurate, Large Minibatch SGD"): when the effective batch
/// (batch size x <see cref="TrainingOptions.AccumulationSteps"/>) differs from the recipe's, the learning rate is
/// multiplied by their ratio. <c>modelzoo train</c> applies it when <c>--batch-size</c> or <c>--accum-steps</c> change the
/// recipe's effective batch and <c>--lr</c> is not given (<c>--no-lr-scale</c> turns it off).
/// </summary>
public static class LearningRateScaling
{
    /// <summary>The effective batch of <paramref name="options"/>: batch size x accumulation steps.</summary>
    public static long EffectiveBatch(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (long)options.BatchSize * options.AccumulationSteps;
    }

    /// <summary>
    /// <paramref name="options"/> with <see cref="TrainingOptions.LearningRate"/> (and <see cref="TrainingOptions.BackboneLearningRate"/>
    /// when <paramref name="scaleBackbone"/>) scaled by <c>EffectiveBatch(options) / EffectiveBatch(recipe)</c>, the rates taken from <paramref name="recipe"/>.
    /// </summary>
    public static TrainingOptions Linear(TrainingOptions recipe, TrainingOptions options, bool scaleBackbone = true)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(options);
        double factor = (double)EffectiveBatch(options) / EffectiveBatch(recipe);
        return options with
        {
            LearningRate = recipe.LearningRate * factor,
            BackboneLearningRate = scaleBackbone && recipe.BackboneLearningRate is double b ? b * factor : options.BackboneLearningRate,
        };
    }
}
