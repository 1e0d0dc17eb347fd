using ModelZoo.Cli.Commands;
using ModelZoo.Data;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// How <c>train</c> feeds its data: MNIST-like data (in memory, microseconds per sample) loads in-line on the training
/// thread so no worker competes with torch for the cores; image folders get one worker per <c>--threads</c>;
/// <c>--workers</c> overrides both.
/// </summary>
public class TrainDataWiringTests
{
    private static TrainDataRequest Request(string spec, int threads, int? workers = null) =>
        new(spec, 50, null, "none", 0.1, "fail", 42, threads, workers);

    private static int Workers(IBatchSource source) => ((DataLoader)source).Options.EffectiveWorkers;

    [Test]
    public void MnistLoadsInLineAndFoldersUseWorkers()
    {
        var mnist = new TrainDataWiring().Open(Request("mnist-sample", threads: 2));
        Assert.That((Workers(mnist.Train), Workers(mnist.Validation!)), Is.EqualTo((0, 0)));
        Assert.That(mnist.Description, Does.Contain("loading in-line"));

        var forced = new TrainDataWiring().Open(Request("mnist-sample", threads: 2, workers: 3));
        Assert.That(Workers(forced.Train), Is.EqualTo(3));
        Assert.That(forced.Description, Does.Contain("3 loader workers"));

        string folder = TestPaths.Imagenette;
        if (!Directory.Exists(folder)) Assert.Ignore($"{folder} not found");
        var images = new TrainDataWiring().Open(Request(folder, threads: 2));
        Assert.That(Workers(images.Train), Is.EqualTo(2));
        Assert.That(images.Description, Does.Contain($"JPEG decoder {(ModelZoo.Data.Imaging.SafeImageDecoder.LibJpegTurboAvailable ? "libjpeg-turbo" : "ImageSharp")}"));
        var inline = new TrainDataWiring().Open(Request(folder, threads: 2, workers: 0));
        Assert.That(Workers(inline.Train), Is.EqualTo(0));
        images.Resources?.Dispose();
        inline.Resources?.Dispose();
    }
}
