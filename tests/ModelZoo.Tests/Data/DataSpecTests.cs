using ModelZoo.Data;
using ModelZoo.Data.Folders;
using ModelZoo.Data.Idx;
using ModelZoo.Data.Mnist;

namespace ModelZoo.Tests.Data;

public class DataSpecTests
{
    [Test]
    public void MnistSampleResolvesWithTestAsValidation()
    {
        var split = DataSpec.Resolve("mnist-sample");
        Assert.That((split.Train.Count, split.Validation.Count, split.Test), Is.EqualTo((8000, 2000, (IImageDataset?)null)));
        Assert.That(split.Kind, Is.EqualTo(DataKind.MnistLike));
        Assert.That(split.NativeSize, Is.EqualTo(new ImageShape(1, 28, 28)));
        Assert.That(split.ClassNames, Is.EqualTo(Enumerable.Range(0, 10).Select(i => i.ToString())));
        Assert.That(split.Normalization, Is.SameAs(Normalization.Mnist));
    }

    [Test]
    public void ValSplitCarvesAStratifiedSeededSubsetOfTraining()
    {
        var a = DataSpec.Resolve("MNIST-Sample", new DataOptions(ValSplit: 0.1, Seed: 4));
        var b = DataSpec.Resolve("mnist-sample", new DataOptions(ValSplit: 0.1, Seed: 4));
        Assert.That((a.Train.Count, a.Validation.Count, a.Test!.Count), Is.EqualTo((7199, 801, 2000)), "10% of each class, rounded");
        var va = (SubsetDataset)a.Validation;
        var vb = (SubsetDataset)b.Validation;
        Assert.That(Enumerable.Range(0, va.Count).Select(va.SourceIndex), Is.EqualTo(Enumerable.Range(0, vb.Count).Select(vb.SourceIndex)));
        var perClass = new int[10];
        for (int i = 0; i < va.Count; i++) perClass[va.LabelOf(i)]++;
        Assert.That(perClass, Is.EqualTo(new[] { 80, 89, 77, 84, 78, 72, 81, 86, 75, 79 }));
        var train = (SubsetDataset)a.Train;
        var trainSet = Enumerable.Range(0, train.Count).Select(train.SourceIndex).ToHashSet();
        Assert.That(Enumerable.Range(0, va.Count).Select(va.SourceIndex).Any(trainSet.Contains), Is.False, "validation is disjoint from training");
    }

    [Test]
    public void FolderOfIdxFilesLoads()
    {
        var split = DataSpec.Resolve(IdxTestFiles.SharedMnist);
        Assert.That((split.Train.Count, split.Validation.Count), Is.EqualTo((8000, 2000)));
        Assert.That(split.Description, Does.Contain(IdxTestFiles.SharedMnist));
    }

    [Test]
    public void OtherFoldersGoToTheFolderLoaderOrFailClearly()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mz-spec-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var e = Assert.Throws<ImageFolderException>(() => DataSpec.Resolve(dir, new DataOptions()))!;
            Assert.That(e.Message, Does.Contain(dir));
            var sentinel = DataSpec.Resolve("mnist-sample");
            string? asked = null;
            var split = DataSpec.Resolve(dir, new DataOptions(FolderLoader: (d, _) => { asked = d; return sentinel; }));
            Assert.That(asked, Is.EqualTo(dir));
            Assert.That(split, Is.SameAs(sentinel));
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Test]
    public void ImageNetFolderResolvesThroughImageFolder()
    {
        string dir = TestPaths.Imagenette;
        var split = DataSpec.Resolve(dir);
        Assert.That(split.Kind, Is.EqualTo(DataKind.Folder));
        Assert.That((split.Train.Count, split.Validation.Count, split.ClassNames.Count), Is.EqualTo((300, 100, 10)));
        Assert.That(split.ClassNames[0], Is.EqualTo("n01440764"));
        Assert.That(split.Normalization, Is.EqualTo(Normalization.ImageNet));
    }

    [Test]
    public void UnknownSpecIsATypedError()
    {
        var e = Assert.Throws<ModelZooDataException>(() => DataSpec.Resolve("no-such-data-set-xyz"))!;
        Assert.That(e.Message, Does.Contain("mnist-sample").And.Contain("no-such-data-set-xyz"));
    }

    [Test]
    public void FashionMnistUsesTheSystemCopyWithItsClassNames()
    {
        if (!MnistFiles.Contains(MnistFamily.FashionMnist.SystemDirectory!))
            Assert.Ignore("dataset-fashion-mnist is not installed");
        var split = DataSpec.Resolve("fashion-mnist", new DataOptions(Download: new DownloadOptions(Offline: true)));
        Assert.That((split.Train.Count, split.Validation.Count), Is.EqualTo((60000, 10000)));
        Assert.That(split.ClassNames[0], Is.EqualTo("T-shirt/top"));
        Assert.That(split.ClassNames[9], Is.EqualTo("Ankle boot"));
        var counts = new int[10];
        for (int i = 0; i < split.Train.Count; i++) counts[split.Train.LabelOf(i)]++;
        Assert.That(counts, Is.All.EqualTo(6000));
    }

    [Test]
    public void MnistOfflineWithEmptyCacheSaysWhatToDo()
    {
        string cache = Path.Combine(Path.GetTempPath(), "mz-off-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DatasetDownloadException>(() =>
            DataSpec.Resolve("mnist", new DataOptions(Download: new DownloadOptions(CacheDirectory: cache, Offline: true))))!;
        Assert.That(e.Message, Does.Contain("ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz")
            .And.Contain("yann.lecun.com").And.Contain("--data DIR"));
    }

    [Test]
    public void IsMnistLikeComesFromTheSpecNotFromItsSpelling()
    {
        foreach (string name in new[] { "mnist", "Fashion-MNIST", "mnist-sample" })
            Assert.That(DataSpec.IsMnistLike(name), Is.True, name);
        Assert.That(DataSpec.IsMnistLike(IdxTestFiles.SharedMnist), Is.True, "a folder of IDX files");
        string imagenette = Path.Combine(Path.GetDirectoryName(IdxTestFiles.SharedMnist)!, "imagenette-mini");
        Assert.That(DataSpec.IsMnistLike(imagenette), Is.False);
        string photos = Path.Combine(Path.GetTempPath(), "mnist-photos-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(photos);
        try
        {
            Assert.That(DataSpec.IsMnistLike(photos), Is.False, "an image folder whose name contains 'mnist' is still a folder");
        }
        finally
        {
            Directory.Delete(photos);
        }
    }
}
