using ModelZoo.Data;
using ModelZoo.Data.Folders;
using ModelZoo.Data.Imaging;
using ModelZoo.Data.Transforms;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// The one place where <c>train</c> meets ModelZoo.Data: resolves <c>--data</c> with <see cref="DataSpec.Resolve"/>,
/// picks the augmentation preset and feeds both splits through <see cref="DataLoader"/>.
/// </summary>
public sealed class TrainDataWiring : ITrainDataProvider
{
    /// <inheritdoc />
    public TrainData Open(TrainDataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        int seed = unchecked((int)request.Seed);
        var split = DataSpec.Resolve(request.Spec, new DataOptions(
            ValSplit: request.ValidationSplit,
            Seed: seed,
            Folder: new ImageFolderOptions
            {
                OnBadImage = string.Equals(request.OnBadImage, "skip", StringComparison.OrdinalIgnoreCase) ? OnBadImage.Skip : OnBadImage.Fail,
                MaxBadFraction = request.MaxBadFraction,
            }));
        bool small = split.Kind == DataKind.MnistLike;
        int imageSize = request.ImageSize ?? (small ? split.NativeSize.Height : 224);
        var normalization = split.Normalization;
        string preset = request.Augment ?? TransformPresets.DefaultName(small);
        ITransform trainTransform = TransformPresets.Train(preset, imageSize, normalization, small);
        ITransform evalTransform = TransformPresets.Eval(imageSize, normalization, small);
        // MNIST-like data is in memory and costs microseconds per sample to transform: worker threads would only take
        // cores from torch's own threads (on 2 cores that slowed training measurably), so it loads in-line.
        int workers = request.Workers ?? (small ? 0 : Math.Max(1, request.Threads));
        var train = new DataLoader(split.Train, new DataLoaderOptions(
            BatchSize: request.BatchSize, Shuffle: true, DropLast: request.WorldSize > 1, Seed: seed, Workers: workers,
            Rank: request.Rank, WorldSize: request.WorldSize, Transform: trainTransform));
        var validation = new DataLoader(split.Validation, new DataLoaderOptions(
            BatchSize: request.BatchSize, Shuffle: false, DropLast: false, Seed: seed, Workers: workers, Transform: evalTransform));
        return new TrainData(train, validation, split.ClassNames, normalization, split.Train.Channels, imageSize,
            $"{split.Description}: {split.Train.Count} training and {split.Validation.Count} validation images, {split.ClassNames.Count} classes, augment {preset}, {(workers == 0 ? "loading in-line" : $"{workers} loader workers")}" +
            (small ? "" : $", JPEG decoder {(SafeImageDecoder.LibJpegTurboAvailable ? "libjpeg-turbo" : "ImageSharp")}"),
            BadImages: BadImageReport.For(split.Train, split.Validation));
    }
}
