using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Models;

/// <summary>
/// VGG (Simonyan and Zisserman, 2014) with torchvision's layout and names: <c>features</c> (the five
/// <see cref="Conv3x3Stack"/> stages flattened into one numbered sequence, so keys are <c>features.0.weight</c>...),
/// a 7x7 adaptive average pool and <c>classifier</c> (4096-4096-classes with ReLU and dropout).
/// Small inputs: five 2x2 pools need at least 32x32. Under <see cref="SmallInputPolicy.Auto"/> an input smaller
/// than 32x32 skips the first max-pool (28 -> 28 -> 14 -> 7 -> 3 -> 1), larger inputs run the torchvision network
/// unchanged; <see cref="SmallInputPolicy.SmallStem"/> always skips it; <see cref="SmallInputPolicy.Resize"/> never
/// does and rejects inputs below 32x32. No parameter changes, so the state dict is torchvision's in every case.
/// </summary>
public sealed class Vgg : nn.Module<Tensor, Tensor>
{
    /// <summary>Smallest input side the torchvision network accepts (2^5).</summary>
    public const int MinimumInputSize = 32;

    private readonly Sequential features;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Sequential classifier;
    private readonly nn.Module<Tensor, Tensor>[] featureLayers;
    private readonly int firstPoolIndex;
    private readonly SmallInputPolicy policy;
    private readonly long inChannels;

    /// <summary>Builds a VGG.</summary>
    /// <param name="convsPerStage">3x3 convolutions in each of the five stages (e.g. 2,2,3,3,3 for VGG-16).</param>
    /// <param name="batchNorm">Batch norm after every convolution (the <c>_bn</c> variants).</param>
    /// <param name="options">The zoo options (dropout defaults to 0.5).</param>
    /// <exception cref="ArgumentException">The stage list or options are invalid.</exception>
    public Vgg(IReadOnlyList<int> convsPerStage, bool batchNorm, ModelOptions options) : base(nameof(Vgg))
    {
        ArgumentNullException.ThrowIfNull(convsPerStage);
        ArgumentNullException.ThrowIfNull(options);
        if (convsPerStage.Count != 5 || convsPerStage.Any(n => n < 1))
            throw new ArgumentException($"VGG needs five positive convolution counts, got [{string.Join(", ", convsPerStage)}]", nameof(convsPerStage));
        ModelChecks.Validate(options);
        long[] widths = [64, 128, 256, 512, 512];
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long c = options.InChannels;
        for (int stage = 0; stage < 5; stage++)
        {
            layers.AddRange(Conv3x3Stack.CreateLayers(c, widths[stage], convsPerStage[stage], batchNorm));
            c = widths[stage];
            if (stage == 0) firstPoolIndex = layers.Count - 1;
        }
        featureLayers = layers.ToArray();
        features = nn.Sequential(layers.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)).ToArray());
        avgpool = nn.AdaptiveAvgPool2d((7, 7));
        double p = options.Dropout ?? 0.5;
        classifier = nn.Sequential(
            ("0", nn.Linear(512 * 7 * 7, 4096)),
            ("1", nn.ReLU(inplace: true)),
            ("2", nn.Dropout(p)),
            ("3", nn.Linear(4096, 4096)),
            ("4", nn.ReLU(inplace: true)),
            ("5", nn.Dropout(p)),
            ("6", nn.Linear(4096, options.NumClasses)));
        policy = options.SmallInput;
        inChannels = options.InChannels;
        this.RegisterInOrder(("features", features), ("avgpool", avgpool), ("classifier", classifier));
        WeightInit.Apply(this, options.Init, options.Seed, FamilyDefault.Vgg);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ModelChecks.CheckInput(input, inChannels, policy == SmallInputPolicy.Resize ? MinimumInputSize : 1, "vgg");
        bool small = input.shape[2] < MinimumInputSize || input.shape[3] < MinimumInputSize;
        bool skipFirstPool = policy == SmallInputPolicy.SmallStem || (policy == SmallInputPolicy.Auto && small);
        var x = input;
        for (int i = 0; i < featureLayers.Length; i++)
        {
            if (i == firstPoolIndex && skipFirstPool) continue;
            x = featureLayers[i].call(x);
        }
        x = torch.flatten(avgpool.call(x), 1);
        return classifier.call(x);
    }

    private static readonly int[] A = [1, 1, 2, 2, 2], B = [2, 2, 2, 2, 2], D = [2, 2, 3, 3, 3], E = [2, 2, 4, 4, 4];

    /// <summary>VGG-11 (configuration A).</summary>
    public static Vgg Vgg11(ModelOptions options) => new(A, false, options);

    /// <summary>VGG-13 (configuration B).</summary>
    public static Vgg Vgg13(ModelOptions options) => new(B, false, options);

    /// <summary>VGG-16 (configuration D).</summary>
    public static Vgg Vgg16(ModelOptions options) => new(D, false, options);

    /// <summary>VGG-19 (configuration E).</summary>
    public static Vgg Vgg19(ModelOptions options) => new(E, false, options);

    /// <summary>VGG-11 with batch norm.</summary>
    public static Vgg Vgg11Bn(ModelOptions options) => new(A, true, options);

    /// <summary>VGG-13 with batch norm.</summary>
    public static Vgg Vgg13Bn(ModelOptions options) => new(B, true, options);

    /// <summary>VGG-16 with batch norm.</summary>
    public static Vgg Vgg16Bn(ModelOptions options) => new(D, true, options);

    /// <summary>VGG-19 with batch norm.</summary>
    public static Vgg Vgg19Bn(ModelOptions options) => new(E, true, options);

    /// <summary>The registry entries of the family.</summary>
    internal static IEnumerable<ZooEntry> Entries()
    {
        const string paper = "Simonyan, Zisserman: Very Deep Convolutional Networks for Large-Scale Image Recognition (ICLR 2015, arXiv:1409.1556)";
        const string source = "torchvision model docs, IMAGENET1K_V1 weights (acc@1 on ImageNet-1k val, 224x224 centre crop)";
        ZooEntry Entry(string name, int layers, bool bn, long parameters, long macs, double top1, Func<ModelOptions, Vgg> build, params string[] aliases) =>
            new(new ModelCard(name, "vgg", $"VGG-{layers}{(bn ? " with batch norm" : "")}: stacks of 3x3 convolutions in five stages, three fully connected layers.",
                paper, (3, 224, 224), parameters, macs, top1, source, SmallInputPolicy.SmallStem), o => build(o), aliases);
        yield return Entry("vgg11", 11, false, 132_863_336, 7_609_090_048, 69.02, Vgg11);
        yield return Entry("vgg13", 13, false, 133_047_848, 11_308_466_176, 69.928, Vgg13);
        yield return Entry("vgg16", 16, false, 138_357_544, 15_470_264_320, 71.592, Vgg16, "vgg");
        yield return Entry("vgg19", 19, false, 143_667_240, 19_632_062_464, 72.376, Vgg19);
        yield return Entry("vgg11_bn", 11, true, 132_868_840, 7_609_090_048, 70.37, Vgg11Bn);
        yield return Entry("vgg13_bn", 13, true, 133_053_736, 11_308_466_176, 71.586, Vgg13Bn);
        yield return Entry("vgg16_bn", 16, true, 138_365_992, 15_470_264_320, 73.36, Vgg16Bn);
        yield return Entry("vgg19_bn", 19, true, 143_678_248, 19_632_062_464, 74.218, Vgg19Bn);
    }
}
