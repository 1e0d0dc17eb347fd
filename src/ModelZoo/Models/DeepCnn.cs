using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Models;

/// <summary>
/// The deep MNIST CNN of "Deep Learning from Scratch" (Saito, ch. 8): six 3x3 convolutions with ReLU
/// (16-16-pool-32-32-pool-64-64-pool; the fourth convolution has padding 2, the others 1), then
/// <c>1024 -> 50</c> + ReLU + dropout and <c>50 -> classes</c> + dropout; He initialisation by default.
/// 123,552 parameters for 1x28x28 input and 10 classes (the card's defaults). Names: <c>features.N</c> and <c>classifier.N</c>.
/// Departures from the book: dropout is PyTorch's inverted dropout (activations scaled by 1/(1-p) during
/// training, identity at inference) instead of the book's "multiply by (1 - p) at test time"; the two are equal
/// in expectation, and inverted dropout keeps inference free of a rescale. A 4x4 adaptive average pool before
/// the classifier (the identity at 28x28) lets the same network run on larger inputs such as 224x224.
/// <see cref="ForwardFeatures"/> returns the 64-channel map of <c>features</c>; the head is the pool and <c>classifier</c>.
/// </summary>
public sealed class DeepCnn : nn.Module<Tensor, Tensor>, IZooModel
{
    private readonly Sequential features;
    private readonly AdaptiveAvgPool2d avgpool;
    private Sequential classifier;
    private readonly long inChannels;
    private readonly LayerFactory layers;
    private readonly InitScheme init;

    /// <summary>Builds the network.</summary>
    /// <param name="options">The zoo options (dropout defaults to 0.5; <see cref="InitScheme.Default"/> is He; unset classes and channels are 10 and 1).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public DeepCnn(ModelOptions options) : base(nameof(DeepCnn))
    {
        ArgumentNullException.ThrowIfNull(options);
        var (classes, channels) = ModelChecks.Validate(options, Card);
        layers = options.Layers ?? LayerFactory.Default;
        init = options.Init;
        nn.Module<Tensor, Tensor> Conv(long i, long o, long pad) => layers.Conv(new ConvSpec(i, o, 3, 1, pad));
        features = nn.Sequential(
            ("0", Conv(channels, 16, 1)),
            ("1", layers.Activation()),
            ("2", Conv(16, 16, 1)),
            ("3", layers.Activation()),
            ("4", nn.MaxPool2d(2, stride: 2)),
            ("5", Conv(16, 32, 1)),
            ("6", layers.Activation()),
            ("7", Conv(32, 32, 2)),
            ("8", layers.Activation()),
            ("9", nn.MaxPool2d(2, stride: 2)),
            ("10", Conv(32, 64, 1)),
            ("11", layers.Activation()),
            ("12", Conv(64, 64, 1)),
            ("13", layers.Activation()),
            ("14", nn.MaxPool2d(2, stride: 2)));
        avgpool = nn.AdaptiveAvgPool2d((4, 4));
        double p = options.Dropout ?? 0.5;
        classifier = nn.Sequential(
            ("0", layers.Linear(new LinearSpec(64 * 4 * 4, 50))),
            ("1", layers.Activation()),
            ("2", nn.Dropout(p)),
            ("3", layers.Linear(new LinearSpec(50, classes))),
            ("4", nn.Dropout(p)));
        inChannels = channels;
        NumClasses = classes;
        this.RegisterInOrder(("features", features), ("avgpool", avgpool), ("classifier", classifier));
        WeightInit.Apply(this, options.Init, options.Seed, WeightInit.He);
    }

    /// <inheritdoc/>
    public int NumClasses { get; private set; }

    /// <inheritdoc/>
    public long NumFeatures => 64;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ForwardHead(ForwardFeatures(input));

    /// <inheritdoc/>
    public Tensor ForwardFeatures(Tensor input)
    {
        ModelChecks.CheckInput(input, inChannels, 8, "deepcnn");
        return features.call(input);
    }

    /// <inheritdoc/>
    public Tensor ForwardHead(Tensor features) => classifier.call(torch.flatten(avgpool.call(features), 1));

    /// <inheritdoc/>
    public void ResetClassifier(int numClasses)
    {
        ModelChecks.CheckClasses(numClasses);
        var old = classifier.named_children().Single(c => c.name == "3").module;
        var fresh = ModelChecks.FreshClassifier(layers, 50, numClasses, old, init, WeightInit.He);
        classifier = ModelChecks.WithChild(classifier, "3", fresh);
        ModelChecks.ReplaceLastChild(this, "classifier", classifier);
        NumClasses = numClasses;
    }

    /// <summary>Builds the network.</summary>
    public static DeepCnn Create(ModelOptions options) => new(options);

    /// <summary>The model card.</summary>
    internal static ModelCard Card { get; } = new ModelCard("deepcnn", "deepcnn",
        "The deep MNIST CNN of Deep Learning from Scratch ch. 8: six 3x3 conv + ReLU in three pooled stages, two linear layers with dropout.",
        "Koki Saito: Deep Learning from Scratch (O'Reilly Japan, 2016), chapter 8",
        (1, 28, 28), 123_552, 8_772_340, 99.38,
        "the book, ch. 8 (MNIST test accuracy of the trained network)",
        SmallInputPolicy.Auto)
    {
        DefaultClasses = 10,
        Preprocessing = Preprocessing.Mnist,
        ClassifierName = "classifier.3",
        FirstConvName = "features.0",
        FeatureNodes = ["features.3", "features.8", "features.13"],
    };

    /// <summary>The registry entry.</summary>
    internal static IEnumerable<ZooEntry> Entries()
    {
        yield return new ZooEntry(Card, o => new DeepCnn(o), ["deep_cnn"]);
    }
}
