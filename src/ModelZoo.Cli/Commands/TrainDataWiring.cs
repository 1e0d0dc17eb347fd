// The one place where `train` meets ModelZoo.Data (DataSpec, DataLoader, transform presets).
// Written against the data branches' announced API; compiled only when MODELZOO_DATA_MERGED is defined
// (the lead defines it, and fixes any signature drift here, when data-idx and data-img are merged).
#if MODELZOO_DATA_MERGED
using ModelZoo.Data;
using ModelZoo.Data.Loading;
using ModelZoo.Data.Transforms;

namespace ModelZoo.Cli.Commands;

/// <summary>Opens <c>--data</c> specs with <c>DataSpec.Resolve</c> and feeds them through <c>DataLoader</c>.</summary>
public sealed class TrainDataWiring : ITrainDataProvider
{
    /// <inheritdoc />
    public TrainData Open(TrainDataRequest request)
    {
        var split = DataSpec.Resolve(request.Spec, new DataSpecOptions
        {
            ValidationSplit = request.ValidationSplit,
            OnBadImage = request.OnBadImage == "skip" ? Folders.OnBadImage.Skip : Folders.OnBadImage.Fail,
            Seed = request.Seed,
        });
        int imageSize = request.ImageSize ?? split.NativeSize;
        var normalization = split.Normalization;
        bool augment = request.Augment is not "none";
        ITransform trainTransform = augment
            ? TransformPresets.Training(request.Augment ?? split.Kind.ToString(), imageSize, normalization)
            : TransformPresets.Evaluation(imageSize, split.NativeSize, normalization);
        ITransform evalTransform = TransformPresets.Evaluation(imageSize, split.NativeSize, normalization);
        var train = new DataLoader(split.Train, new DataLoaderOptions
        {
            BatchSize = request.BatchSize, Shuffle = true, DropLast = true, Seed = request.Seed,
            Workers = Math.Max(1, request.Threads), Transform = trainTransform,
        });
        DataLoader? validation = split.Validation is null ? null : new DataLoader(split.Validation, new DataLoaderOptions
        {
            BatchSize = request.BatchSize, Shuffle = false, DropLast = false, Seed = request.Seed,
            Workers = Math.Max(1, request.Threads), Transform = evalTransform,
        });
        return new TrainData(train, validation, split.ClassNames, normalization, split.Train.Channels, imageSize,
            split.Kind.ToString().ToLowerInvariant(),
            $"{split.Train.Count} training and {split.Validation?.Count ?? 0} validation images, {split.ClassNames.Count} classes",
            new Disposables(train, validation));
    }

    private sealed class Disposables(params IDisposable?[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var i in items) i?.Dispose();
        }
    }
}
#else
namespace ModelZoo.Cli.Commands;

/// <summary>Placeholder until the data branches are merged: every spec fails with <see cref="DataWiringUnavailableException"/>.</summary>
public sealed class TrainDataWiring : ITrainDataProvider
{
    /// <inheritdoc />
    public TrainData Open(TrainDataRequest request) => throw new DataWiringUnavailableException();
}
#endif
