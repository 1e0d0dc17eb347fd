using ModelZoo.Blocks;
using ModelZoo.Blocks.Binary;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Models;

/// <summary>
/// A binarised MNIST CNN in the manner of Courbariaux, Hubara et al. (BNN, 2016): a real-valued first convolution
/// (the input image stays real), three binarised 3x3 convolutions (1-bit weights and activations, STE gradients),
/// batch norm after every convolution, max-pooling after the second and fourth, one binarised hidden linear layer
/// with batch norm, and a real-valued final linear layer. Layout (names): <c>features.0</c> conv C-32 (real),
/// <c>features.1</c> BN, <c>features.2</c> binary conv 32-32, <c>features.3</c> max-pool, <c>features.4</c> BN,
/// <c>features.5</c> binary conv 32-64, <c>features.6</c> BN, <c>features.7</c> binary conv 64-64, <c>features.8</c>
/// max-pool, <c>features.9</c> BN; a 7x7 adaptive average pool (the identity at 28x28); <c>classifier.0</c> binary
/// linear 3136-256, <c>classifier.1</c> BatchNorm1d, <c>classifier.2</c> dropout, <c>classifier.3</c> linear 256-classes (real).
/// Every binary layer's input is binarised by sign with the hardtanh-clipped STE (the activation of a BNN), so no
/// ReLU is used. Latent weights are He-initialised and clipped to [-1, 1].
/// </summary>
public sealed class BnnMnist : ZooModule
{
    private readonly Sequential features;
    private readonly AdaptiveAvgPool2d avgpool;
    private Sequential classifier;
    private readonly long inChannels;
    private readonly LayerFactory real;
    private readonly InitScheme init;

    /// <summary>Builds the network.</summary>
    /// <param name="options">The zoo options (dropout defaults to 0; unset classes and channels are 10 and 1; <see cref="ModelOptions.Layers"/> builds the real-valued layers and norms).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public BnnMnist(ModelOptions options) : base(nameof(BnnMnist), BinaryNets.BnnMnistCard, ModelChecks.Resolved(options, BinaryNets.BnnMnistCard))
    {
        ArgumentNullException.ThrowIfNull(options);
        var (classes, channels) = (Options.NumClasses!.Value, Options.InChannels!.Value);
        real = options.Layers ?? LayerFactory.Default;
        init = options.Init;
        BinaryConv2d Binary(long i, long o) => new(new ConvSpec(i, o, 3, 1, 1, Bias: false));
        features = nn.Sequential(
            ("0", real.Conv(new ConvSpec(channels, 32, 3, 1, 1, Bias: false))),
            ("1", real.Norm(new NormSpec(32))),
            ("2", Binary(32, 32)),
            ("3", nn.MaxPool2d(2, stride: 2)),
            ("4", real.Norm(new NormSpec(32))),
            ("5", Binary(32, 64)),
            ("6", real.Norm(new NormSpec(64))),
            ("7", Binary(64, 64)),
            ("8", nn.MaxPool2d(2, stride: 2)),
            ("9", real.Norm(new NormSpec(64))));
        avgpool = nn.AdaptiveAvgPool2d((7, 7));
        classifier = nn.Sequential(
            ("0", new BinaryLinear(new LinearSpec(64 * 7 * 7, 256, Bias: false))),
            ("1", nn.BatchNorm1d(256)),
            ("2", nn.Dropout(options.Dropout ?? 0.0)),
            ("3", real.Linear(new LinearSpec(256, classes))));
        inChannels = channels;
        _numClasses = classes;
        this.RegisterInOrder(("features", features), ("avgpool", avgpool), ("classifier", classifier));
        WeightInit.Apply(this, options.Init, options.Seed, WeightInit.He);
        using (torch.no_grad())
            foreach (var (_, m) in classifier.named_children())
                if (m is BatchNorm1d bn) { bn.weight?.fill_(1.0); bn.bias?.zero_(); }
        BinaryLayers.ClipLatentWeights(this);
    }

    /// <inheritdoc/>
    public override int NumClasses => _numClasses;

    private int _numClasses;

    /// <inheritdoc/>
    public override long NumFeatures => 64;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ForwardHead(ForwardFeatures(input));

    /// <inheritdoc/>
    public override Tensor ForwardFeatures(Tensor input)
    {
        ModelChecks.CheckInput(input, inChannels, 4, "bnn-mnist");
        return features.call(input);
    }

    /// <inheritdoc/>
    public override Tensor ForwardHead(Tensor features) => classifier.call(torch.flatten(avgpool.call(features), 1));

    /// <inheritdoc/>
    public override void ResetClassifier(int numClasses)
    {
        ModelChecks.CheckClasses(numClasses);
        var old = classifier.named_children().Single(c => c.name == "3").module;
        var fresh = ModelChecks.FreshClassifier(real, 256, numClasses, old, init, WeightInit.He);
        classifier = ModelChecks.WithChild(classifier, "3", fresh);
        ModelChecks.ReplaceLastChild(this, "classifier", classifier);
        _numClasses = numClasses;
        Options = Options with { NumClasses = numClasses };
    }
}
