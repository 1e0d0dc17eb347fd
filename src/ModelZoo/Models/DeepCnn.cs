using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Models;

/// <summary>
/// The deep MNIST CNN of "Deep Learning from Scratch" (Saito, ch. 8): six 3x3 convolutions with ReLU
/// (16-16-pool-32-32-pool-64-64-pool; the fourth convolution has padding 2, the others 1), then
/// <c>1024 -> 50</c> + ReLU + dropout and <c>50 -> classes</c> + dropout; He initialisation by default.
/// 123,552 parameters for 1x28x28 input and 10 classes. Names: <c>features.N</c> and <c>classifier.N</c>.
/// Departures from the book: dropout is PyTorch's inverted dropout (activations scaled by 1/(1-p) during
/// training, identity at inference) instead of the book's "multiply by (1 - p) at test time"; the two are equal
/// in expectation, and inverted dropout keeps inference free of a rescale. A 4x4 adaptive average pool before
/// the classifier (the identity at 28x28) lets the same network run on larger inputs such as 224x224.
/// </summary>
public sealed class DeepCnn : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Sequential classifier;
    private readonly long inChannels;

    /// <summary>Builds the network.</summary>
    /// <param name="options">The zoo options (dropout defaults to 0.5; <see cref="InitScheme.Default"/> is He).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public DeepCnn(ModelOptions options) : base(nameof(DeepCnn))
    {
        ArgumentNullException.ThrowIfNull(options);
        ModelChecks.Validate(options);
        features = nn.Sequential(
            ("0", nn.Conv2d(options.InChannels, 16, 3, padding: 1)),
            ("1", nn.ReLU()),
            ("2", nn.Conv2d(16, 16, 3, padding: 1)),
            ("3", nn.ReLU()),
            ("4", nn.MaxPool2d(2, stride: 2)),
            ("5", nn.Conv2d(16, 32, 3, padding: 1)),
            ("6", nn.ReLU()),
            ("7", nn.Conv2d(32, 32, 3, padding: 2)),
            ("8", nn.ReLU()),
            ("9", nn.MaxPool2d(2, stride: 2)),
            ("10", nn.Conv2d(32, 64, 3, padding: 1)),
            ("11", nn.ReLU()),
            ("12", nn.Conv2d(64, 64, 3, padding: 1)),
            ("13", nn.ReLU()),
            ("14", nn.MaxPool2d(2, stride: 2)));
        avgpool = nn.AdaptiveAvgPool2d((4, 4));
        double p = options.Dropout ?? 0.5;
        classifier = nn.Sequential(
            ("0", nn.Linear(64 * 4 * 4, 50)),
            ("1", nn.ReLU()),
            ("2", nn.Dropout(p)),
            ("3", nn.Linear(50, options.NumClasses)),
            ("4", nn.Dropout(p)));
        inChannels = options.InChannels;
        RegisterComponents();
        WeightInit.Apply(this, options.Init, options.Seed, FamilyDefault.He);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ModelChecks.CheckInput(input, inChannels, 8, "deepcnn");
        var x = features.call(input);
        x = torch.flatten(avgpool.call(x), 1);
        return classifier.call(x);
    }

    /// <summary>Builds the network.</summary>
    public static DeepCnn Create(ModelOptions options) => new(options);

    /// <summary>The registry entry.</summary>
    internal static IEnumerable<ZooEntry> Entries()
    {
        yield return new ZooEntry(
            new ModelCard("deepcnn", "deepcnn",
                "The deep MNIST CNN of Deep Learning from Scratch ch. 8: six 3x3 conv + ReLU in three pooled stages, two linear layers with dropout.",
                "Koki Saito: Deep Learning from Scratch (O'Reilly Japan, 2016), chapter 8",
                (1, 28, 28), 123_552, 8_772_340, 99.38,
                "the book, ch. 8 (MNIST test accuracy of the trained network)",
                SmallInputPolicy.Auto),
            o => new DeepCnn(o),
            ["deep_cnn"]);
    }
}
