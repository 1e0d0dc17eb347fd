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
/// <see cref="ForwardFeatures"/> returns the last convolution's map (64 channels for the book's net); the head is the pool and <c>classifier</c>.
/// Other members of the family (<see cref="DeepCnnConfig"/>): <c>deepcnn_wide</c> doubles the widths, adds a batch norm
/// after every convolution (conv bias off), widens the dense layer to 256 and drops the dropout on the logits
/// (813,994 parameters; features are then conv, bn, relu triples, so the stage outputs are <c>features.5</c>, <c>.12</c>, <c>.19</c>).
/// </summary>
public sealed class DeepCnn : ZooModule
{
    private readonly Sequential features;
    private readonly AdaptiveAvgPool2d avgpool;
    private Sequential classifier;
    private readonly long inChannels;
    private readonly LayerFactory layers;
    private readonly InitScheme init;
    private readonly long hidden;

    /// <summary>Builds the book's network.</summary>
    /// <param name="options">The zoo options (dropout defaults to 0.5; <see cref="InitScheme.Default"/> is He; unset classes and channels are 10 and 1).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public DeepCnn(ModelOptions options) : this(DeepCnnConfig.Book, options)
    {
    }

    /// <summary>Builds a network of the family.</summary>
    /// <param name="config">Widths, batch norm, hidden width (<see cref="DeepCnnConfig.Book"/> is the book's network).</param>
    /// <param name="options">The zoo options (dropout defaults to 0.5; <see cref="InitScheme.Default"/> is He; unset classes and channels are 10 and 1).</param>
    /// <exception cref="ArgumentException">The configuration or options are invalid.</exception>
    public DeepCnn(DeepCnnConfig config, ModelOptions options) : base(nameof(DeepCnn), BookCard, ModelChecks.Resolved(options, BookCard))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        config.Validate();
        var (classes, channels) = (Options.NumClasses!.Value, Options.InChannels!.Value);
        layers = options.Layers ?? LayerFactory.Default;
        init = options.Init;
        hidden = config.Hidden;
        var w = config.Widths;
        var list = new List<nn.Module<Tensor, Tensor>>();
        void Conv(long i, long o, long pad)
        {
            list.Add(layers.Conv(new ConvSpec(i, o, 3, 1, pad, Bias: !config.BatchNorm)));
            if (config.BatchNorm) list.Add(layers.Norm(new NormSpec(o)));
            list.Add(layers.Activation());
        }
        Conv(channels, w[0], 1);
        Conv(w[0], w[1], 1);
        list.Add(nn.MaxPool2d(2, stride: 2));
        Conv(w[1], w[2], 1);
        Conv(w[2], w[3], 2);
        list.Add(nn.MaxPool2d(2, stride: 2));
        Conv(w[3], w[4], 1);
        Conv(w[4], w[5], 1);
        list.Add(nn.MaxPool2d(2, stride: 2));
        features = nn.Sequential(list.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)).ToArray());
        avgpool = nn.AdaptiveAvgPool2d((4, 4));
        double p = options.Dropout ?? 0.5;
        var head = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("0", layers.Linear(new LinearSpec(w[5] * 4 * 4, config.Hidden))),
            ("1", layers.Activation()),
            ("2", nn.Dropout(p)),
            ("3", layers.Linear(new LinearSpec(config.Hidden, classes))),
        };
        if (config.DropoutOnLogits) head.Add(("4", nn.Dropout(p)));
        classifier = nn.Sequential(head.ToArray());
        inChannels = channels;
        _numClasses = classes;
        NumFeatures = w[5];
        this.RegisterInOrder(("features", features), ("avgpool", avgpool), ("classifier", classifier));
        WeightInit.Apply(this, options.Init, options.Seed, WeightInit.He);
    }

    /// <inheritdoc/>
    public override int NumClasses => _numClasses;

    private int _numClasses;

    /// <inheritdoc/>
    public override long NumFeatures { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ForwardHead(ForwardFeatures(input));

    /// <inheritdoc/>
    public override Tensor ForwardFeatures(Tensor input)
    {
        ModelChecks.CheckInput(input, inChannels, 8, "deepcnn");
        return features.call(input);
    }

    /// <inheritdoc/>
    public override Tensor ForwardHead(Tensor features) => classifier.call(torch.flatten(avgpool.call(features), 1));

    /// <inheritdoc/>
    public override void ResetClassifier(int numClasses)
    {
        ModelChecks.CheckClasses(numClasses);
        var old = classifier.named_children().Single(c => c.name == "3").module;
        var fresh = ModelChecks.FreshClassifier(layers, hidden, numClasses, old, init, WeightInit.He);
        classifier = ModelChecks.WithChild(classifier, "3", fresh);
        ModelChecks.ReplaceLastChild(this, "classifier", classifier);
        _numClasses = numClasses;
        Options = Options with { NumClasses = numClasses };
    }

    /// <summary>Builds the book's network.</summary>
    public static DeepCnn Create(ModelOptions options) => new(options);

    /// <summary>Builds <c>deepcnn_wide</c> (<see cref="DeepCnnConfig.Wide"/>).</summary>
    public static DeepCnn CreateWide(ModelOptions options) => new(DeepCnnConfig.Wide, options) { Card = WideCard };

    /// <summary>The model card.</summary>
    internal static ModelCard BookCard { get; } = new ModelCard("deepcnn", "deepcnn",
        "The deep MNIST CNN of Deep Learning from Scratch ch. 8: six 3x3 conv + ReLU in three pooled stages, two linear layers with dropout.",
        "Koki Saito: Deep Learning from Scratch (O'Reilly Japan, 2016), chapter 8",
        (1, 28, 28), 123_552, 8_772_340, 99.38,
        "the book, ch. 8 (MNIST test accuracy of the trained network)",
        SmallInputPolicy.Auto)
    {
        DefaultClasses = 10,
        MinInputSize = 8,
        Preprocessing = Preprocessing.Mnist,
        ClassifierName = "classifier.3",
        FirstConvName = "features.0",
        FeatureNodes = ["features.3", "features.8", "features.13"],
    };

    /// <summary>The card of <c>deepcnn_wide</c>: the book's topology at twice the widths with batch norm and dense 256.</summary>
    internal static ModelCard WideCard { get; } = BookCard with
    {
        Name = "deepcnn_wide",
        Summary = "deepcnn at twice the widths (32-32-64-64-128-128) with batch norm after every conv and dense 256: a Fashion-MNIST-sized CNN.",
        Paper = "ModelZoo: a wider variant of Saito's ch. 8 network (Deep Learning from Scratch, O'Reilly Japan, 2016)",
        Parameters = 813_994,
        Macs = WideMacs,
        ReferenceTop1 = null,
        ReferenceSource = "none (no published weights; see docs/results.md for Fashion-MNIST)",
        FeatureNodes = StageOutputs(DeepCnnConfig.Wide),
    };

    /// <summary>Multiply-accumulates of <c>deepcnn_wide</c> at 1x28x28: convolutions at 28, 28, 14, 16, 8, 8 output sides plus the two linear layers.</summary>
    private const long WideMacs = 28L * 28 * 32 * 9 * 1 + 28L * 28 * 32 * 9 * 32 + 14L * 14 * 64 * 9 * 32 + 16L * 16 * 64 * 9 * 64
        + 8L * 8 * 128 * 9 * 64 + 8L * 8 * 128 * 9 * 128 + 2048L * 256 + 256L * 10;

    private static string[] StageOutputs(DeepCnnConfig config) =>
        config.StageOutputIndices().Select(i => "features." + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The registry entries of the family.</summary>
    internal static IEnumerable<ZooEntry> Entries()
    {
        yield return new ZooEntry(BookCard, o => new DeepCnn(o), ["deep_cnn"]);
        yield return new ZooEntry(WideCard, o => CreateWide(o), ["deep_cnn_wide"]);
    }
}
