using ModelZoo.Data.Folders;
using ModelZoo.Data.Imaging;
using ModelZoo.Data.Transforms;

namespace ModelZoo.Data;

/// <summary>
/// The one place a data spec becomes training batches (timm's <c>resolve_data_config</c> + <c>create_loader</c>): resolves
/// the spec with <see cref="DataSpec.Resolve(string, DataOptions?)"/>, picks the input size (native for MNIST-like data,
/// 224 for folders) and the augmentation preset, and feeds both splits through <see cref="DataLoader"/>. Used by
/// <c>modelzoo train</c>, <c>experiment</c> and <c>lr-find</c> through the training library, and by library users.
/// The resolved data sets of the last request are kept, so <see cref="Describe"/> then <see cref="Open"/> read the
/// data once.
/// </summary>
public sealed class DataPipeline : IDataProvider
{
    private (DataRequest Request, DataSplit Split)? _resolved;

    /// <summary>
    /// MNIST-like data is in memory and costs microseconds per sample to transform, so it loads in-line by default:
    /// worker threads would only take cores from torch's (on 2 cores that slowed training measurably).
    /// </summary>
    public static int DefaultWorkers(bool mnistLike, int threads) => mnistLike ? 0 : Math.Max(1, threads);

    /// <summary>
    /// What the data holds. The named MNIST-family specs are described from what is known of them (60,000/10,000 or
    /// 8,000/2,000 28x28 grey digits in 10 classes), without loading or downloading anything, so planning a run
    /// (<c>--print-config</c>) never touches the network; a held-out <see cref="DataRequest.ValidationSplit"/>'s counts
    /// are then the split's share of the training set (the stratified split may differ by a few images). Folders are resolved.
    /// </summary>
    public DataFacts Describe(DataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Named(request.Spec) is var (train, test, classes, normalization))
        {
            int held = (int)Math.Round(train * request.ValidationSplit);
            return new DataFacts(train - held, held > 0 ? held : test, classes, 1, request.ImageSize ?? 28, normalization, MnistLike: true);
        }
        var split = Resolve(request);
        bool small = split.Kind == DataKind.MnistLike;
        return new DataFacts(split.Train.Count, split.Validation.Count, split.ClassNames, split.Train.Channels,
            ImageSizeFor(request, split), split.Normalization, small);
    }

    /// <inheritdoc />
    public TrainingData Open(DataRequest request, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var split = Resolve(request);
        int seed = unchecked((int)request.Seed);
        bool small = split.Kind == DataKind.MnistLike;
        int imageSize = ImageSizeFor(request, split);
        var normalization = split.Normalization;
        string preset = request.Augment ?? TransformPresets.DefaultName(small);
        ITransform trainTransform = TransformPresets.Train(preset, imageSize, normalization, small);
        ITransform evalTransform = TransformPresets.Eval(imageSize, normalization, small);
        int workers = request.Workers ?? DefaultWorkers(small, request.Threads);
        var train = new DataLoader(split.Train, new DataLoaderOptions(
            BatchSize: batchSize, Shuffle: true, DropLast: request.WorldSize > 1, Seed: seed, Workers: workers,
            Rank: request.Rank, WorldSize: request.WorldSize, Transform: trainTransform));
        var validation = new DataLoader(split.Validation, new DataLoaderOptions(
            BatchSize: batchSize, Shuffle: false, DropLast: false, Seed: seed, Workers: workers, Transform: evalTransform));
        string description = $"{split.Description}: {split.Train.Count} training and {split.Validation.Count} validation images, {split.ClassNames.Count} classes, augment {preset}, {(workers == 0 ? "loading in-line" : $"{workers} loader workers")}" +
            (small ? "" : $", JPEG decoder {(SafeImageDecoder.LibJpegTurboAvailable ? "libjpeg-turbo" : "ImageSharp")}");
        // The load-time skips now; the decode-time skips as the loader meets them.
        var bad = BadImageReport.For(split.Train, split.Validation);
        return new TrainingData(train, validation, split.ClassNames, normalization, split.Train.Channels, imageSize, description,
            Resources: null, BadImages: bad, Augment: preset);
    }

    private static (int Train, int Test, IReadOnlyList<string> Classes, Normalization Normalization)? Named(string spec) =>
        spec.Trim().ToLowerInvariant() switch
        {
            "mnist" => (60_000, 10_000, Mnist.MnistFamily.Mnist.ClassNames, Normalization.Mnist),
            "fashion-mnist" or "fashionmnist" => (60_000, 10_000, Mnist.MnistFamily.FashionMnist.ClassNames, DataSpec.FashionMnistNormalization),
            Mnist.MnistSample.Name => (8_000, 2_000, Mnist.MnistFamily.Mnist.ClassNames, Normalization.Mnist),
            _ => null,
        };

    private static int ImageSizeFor(DataRequest request, DataSplit split) =>
        request.ImageSize ?? (split.Kind == DataKind.MnistLike ? split.NativeSize.Height : 224);

    private DataSplit Resolve(DataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The split depends on the spec, the held-out fraction, the seed and the bad-image policy only.
        if (_resolved is { } r && r.Request with { ImageSize = null, Augment = null, Workers = null, Threads = 0, Rank = 0, WorldSize = 1 }
            == request with { ImageSize = null, Augment = null, Workers = null, Threads = 0, Rank = 0, WorldSize = 1 })
            return r.Split;
        var split = DataSpec.Resolve(request.Spec, new DataOptions(
            ValSplit: request.ValidationSplit,
            Seed: unchecked((int)request.Seed),
            Folder: new ImageFolderOptions { OnBadImage = request.OnBadImage, MaxBadFraction = request.MaxBadFraction }));
        _resolved = (request, split);
        return split;
    }
}
