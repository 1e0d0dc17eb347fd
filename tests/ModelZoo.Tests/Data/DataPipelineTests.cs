using ModelZoo.Data;

namespace ModelZoo.Tests.Data;

/// <summary>
/// How the library's <see cref="DataPipeline"/> feeds <c>train</c>, <c>experiment</c> and <c>lr-find</c>: MNIST-like data (in memory, microseconds per sample) loads in-line on the training
/// thread so no worker competes with torch for the cores; image folders get one worker per <c>--threads</c>;
/// <c>--workers</c> overrides both.
/// </summary>
public class DataPipelineTests
{
    private static DataRequest Request(string spec, int threads, int? workers = null) =>
        new(spec) { Augment = "none", ValidationSplit = 0.1, Seed = 42, Threads = threads, Workers = workers };

    private static int Workers(IBatchSource source) => ((DataLoader)source).Options.EffectiveWorkers;

    [Test]
    public void MnistLoadsInLineAndFoldersUseWorkers()
    {
        var mnist = new DataPipeline().Open(Request("mnist-sample", threads: 2), 50);
        Assert.That((Workers(mnist.Train), Workers(mnist.Validation!)), Is.EqualTo((0, 0)));
        Assert.That(mnist.Description, Does.Contain("loading in-line"));

        var forced = new DataPipeline().Open(Request("mnist-sample", threads: 2, workers: 3), 50);
        Assert.That(Workers(forced.Train), Is.EqualTo(3));
        Assert.That(forced.Description, Does.Contain("3 loader workers"));

        string folder = TestPaths.Imagenette;
        if (!Directory.Exists(folder)) Assert.Ignore($"{folder} not found");
        var images = new DataPipeline().Open(Request(folder, threads: 2), 50);
        Assert.That(Workers(images.Train), Is.EqualTo(2));
        Assert.That(images.Description, Does.Contain($"JPEG decoder {(ModelZoo.Data.Imaging.SafeImageDecoder.LibJpegTurboAvailable ? "libjpeg-turbo" : "ImageSharp")}"));
        var inline = new DataPipeline().Open(Request(folder, threads: 2, workers: 0), 50);
        Assert.That(Workers(inline.Train), Is.EqualTo(0));
        images.Dispose();
        inline.Dispose();
    }
}
