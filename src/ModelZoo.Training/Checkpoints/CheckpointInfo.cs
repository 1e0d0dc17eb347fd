using ModelZoo.Data;

namespace ModelZoo.Training;

/// <summary>What a checkpoint says about itself: enough to rebuild the model and feed it data the way it was trained.</summary>
/// <param name="ModelName">Canonical zoo name, for <see cref="Zoo.Create"/>.</param>
/// <param name="ModelOptions">The options the model was built with.</param>
/// <param name="ClassNames">Class names; output index i is class i.</param>
/// <param name="Normalization">Per-channel normalisation applied to inputs.</param>
/// <param name="Channels">Input channels.</param>
/// <param name="ImageSize">Input height and width the model was trained at.</param>
/// <param name="Epoch">Epochs completed when it was written.</param>
/// <param name="Step">Optimiser steps taken when it was written.</param>
/// <param name="DataSpec">The <c>--data</c> spec it was trained on.</param>
public sealed record CheckpointInfo(
    string ModelName,
    ModelOptions ModelOptions,
    IReadOnlyList<string> ClassNames,
    Normalization Normalization,
    int Channels,
    int ImageSize,
    int Epoch,
    long Step,
    string DataSpec);
