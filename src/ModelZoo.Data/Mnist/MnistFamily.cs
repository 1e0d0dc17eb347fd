namespace ModelZoo.Data.Mnist;

/// <summary>A data set in the MNIST file layout: four IDX files, where to download them, and its classes.</summary>
/// <param name="Name">Spec name (<c>mnist</c>, <c>fashion-mnist</c>); also the cache sub-folder.</param>
/// <param name="TrainImages">Training images file.</param>
/// <param name="TrainLabels">Training labels file.</param>
/// <param name="TestImages">Test images file.</param>
/// <param name="TestLabels">Test labels file.</param>
/// <param name="Mirrors">Mirror base URLs, tried in order.</param>
/// <param name="ClassNames">Class names, by label.</param>
/// <param name="SystemDirectory">A folder where a system package may have installed the files (checked first), or null.</param>
public sealed record MnistFamily(
    string Name,
    DownloadFile TrainImages,
    DownloadFile TrainLabels,
    DownloadFile TestImages,
    DownloadFile TestLabels,
    IReadOnlyList<string> Mirrors,
    IReadOnlyList<string> ClassNames,
    string? SystemDirectory)
{
    /// <summary>
    /// The official MNIST files (60,000 training / 10,000 test digits), from PyTorch's S3 mirror first and the
    /// original site second, verified by size and SHA-256.
    /// </summary>
    public static MnistFamily Mnist { get; } = new(
        "mnist",
        new("train-images-idx3-ubyte.gz", 9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        new("train-labels-idx1-ubyte.gz", 28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", "d53e105ee54ea40749a09fcbcd1e9432"),
        new("t10k-images-idx3-ubyte.gz", 1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", "9fb629c4189551a2d022fa330f9573f3"),
        new("t10k-labels-idx1-ubyte.gz", 4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", "ec29112dd5afa0611ce80d1b7f02629c"),
        ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"],
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
        null);

    /// <summary>
    /// Fashion-MNIST (Zalando; 60,000 / 10,000 28x28 grey article images). Uses <c>/usr/share/datasets/fashion-mnist</c>
    /// (Debian package <c>dataset-fashion-mnist</c>) when present; else downloads from Zalando's mirror, verified by
    /// the MD5 sums Zalando publishes (no SHA-256 is published).
    /// </summary>
    public static MnistFamily FashionMnist { get; } = new(
        "fashion-mnist",
        new("train-images-idx3-ubyte.gz", null, null, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        new("train-labels-idx1-ubyte.gz", null, null, "25c81989df183df01b3e8a0aad5dffbe"),
        new("t10k-images-idx3-ubyte.gz", null, null, "bef4ecab320f06d8554ea6380940ec79"),
        new("t10k-labels-idx1-ubyte.gz", null, null, "bb300cfdad3c16e7a12a480ee83cd310"),
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        "/usr/share/datasets/fashion-mnist");

    /// <summary>The four files in the order train images, train labels, test images, test labels.</summary>
    public IReadOnlyList<DownloadFile> Files => [TrainImages, TrainLabels, TestImages, TestLabels];
}
