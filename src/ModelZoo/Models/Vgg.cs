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
/// Initialisation (<see cref="InitScheme.Default"/>): torchvision's, kaiming-normal fan-out convolutions, N(0, 0.01) linear layers.
/// <see cref="ForwardFeatures"/> returns the 512-channel map of <c>features</c>; the head is <c>avgpool</c> and <c>classifier</c>.
/// </summary>
public sealed class Vgg : ZooModule
{
    /// <summary>Smallest input side the torchvision network accepts (2^5).</summary>
    public const int MinimumInputSize = 32;

    private readonly Sequential features;
    private readonly AdaptiveAvgPool2d avgpool;
    private Sequential classifier;
    private readonly nn.Module<Tensor, Tensor>[] featureLayers;
    private readonly int firstPoolIndex;
    private readonly SmallInputPolicy policy;
    private readonly long inChannels;
    private readonly LayerFactory factory;
    private readonly InitScheme init;

    /// <summary>Builds a VGG.</summary>
    /// <param name="convsPerStage">3x3 convolutions in each of the five stages (e.g. 2,2,3,3,3 for VGG-16).</param>
    /// <param name="batchNorm">Batch norm after every convolution (the <c>_bn</c> variants).</param>
    /// <param name="options">The zoo options (dropout defaults to 0.5).</param>
    /// <exception cref="ArgumentException">The stage list or options are invalid.</exception>
    public Vgg(IReadOnlyList<int> convsPerStage, bool batchNorm, ModelOptions options) : base(nameof(Vgg), CardDefaults, ModelChecks.Resolved(options, CardDefaults))
    {
        ArgumentNullException.ThrowIfNull(convsPerStage);
        ArgumentNullException.ThrowIfNull(options);
        if (convsPerStage.Count != 5 || convsPerStage.Any(n => n < 1))
            throw new ArgumentException($"VGG needs five positive convolution counts, got [{string.Join(", ", convsPerStage)}]", nameof(convsPerStage));
        var (classes, channels) = (Options.NumClasses!.Value, Options.InChannels!.Value);
        factory = options.Layers ?? LayerFactory.Default;
        init = options.Init;
        long[] widths = [64, 128, 256, 512, 512];
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long c = channels;
        for (int stage = 0; stage < 5; stage++)
        {
            layers.AddRange(Conv3x3Stack.CreateLayers(c, widths[stage], convsPerStage[stage], batchNorm, layers: factory));
            c = widths[stage];
            if (stage == 0) firstPoolIndex = layers.Count - 1;
        }
        featureLayers = layers.ToArray();
        features = nn.Sequential(layers.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)).ToArray());
        avgpool = nn.AdaptiveAvgPool2d((7, 7));
        double p = options.Dropout ?? 0.5;
        classifier = nn.Sequential(
            ("0", factory.Linear(new LinearSpec(512 * 7 * 7, 4096))),
            ("1", factory.Activation()),
            ("2", nn.Dropout(p)),
            ("3", factory.Linear(new LinearSpec(4096, 4096))),
            ("4", factory.Activation()),
            ("5", nn.Dropout(p)),
            ("6", factory.Linear(new LinearSpec(4096, classes))));
        policy = options.SmallInput;
        inChannels = channels;
        _numClasses = classes;
        this.RegisterInOrder(("features", features), ("avgpool", avgpool), ("classifier", classifier));
        WeightInit.Apply(this, options.Init, options.Seed, TorchvisionInit);
    }

    /// <inheritdoc/>
    public override int NumClasses => _numClasses;

    private int _numClasses;

    /// <inheritdoc/>
    public override long NumFeatures => 512;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ForwardHead(ForwardFeatures(input));

    /// <inheritdoc/>
    public override Tensor ForwardFeatures(Tensor input)
    {
        ModelChecks.CheckInput(input, inChannels, policy == SmallInputPolicy.Resize ? MinimumInputSize : 1, "vgg");
        bool skipFirstPool = SkipsFirstPool(input.shape[2], input.shape[3]);
        var x = input;
        for (int i = 0; i < featureLayers.Length; i++)
        {
            if (i == firstPoolIndex && skipFirstPool) continue;
            x = featureLayers[i].call(x);
        }
        return x;
    }

    /// <summary>Index in <c>features</c> of the first stage's max-pool (the one the small-input stem skips).</summary>
    internal int FirstPoolIndex => firstPoolIndex;

    /// <summary>Whether <see cref="ForwardFeatures"/> skips the first max-pool for an input of this size (the ONNX exporter asks).</summary>
    internal bool SkipsFirstPool(long height, long width)
    {
        bool small = height < MinimumInputSize || width < MinimumInputSize;
        return policy == SmallInputPolicy.SmallStem || (policy == SmallInputPolicy.Auto && small);
    }

    /// <inheritdoc/>
    public override Tensor ForwardHead(Tensor features) => classifier.call(torch.flatten(avgpool.call(features), 1));

    /// <inheritdoc/>
    public override void ResetClassifier(int numClasses)
    {
        ModelChecks.CheckClasses(numClasses);
        var old = classifier.named_children().Single(c => c.name == "6").module;
        var fresh = ModelChecks.FreshClassifier(factory, 4096, numClasses, old, init, TorchvisionInit);
        classifier = ModelChecks.WithChild(classifier, "6", fresh);
        ModelChecks.ReplaceLastChild(this, "classifier", classifier);
        _numClasses = numClasses;
        Options = Options with { NumClasses = numClasses };
    }

    /// <summary>torchvision's VGG init: kaiming-normal (fan-out, ReLU) convolutions, N(0, 0.01) linear layers, zero biases.</summary>
    private static void TorchvisionInit(InitTarget target, InitDraws draws)
    {
        if (target.Role == LayerRole.Conv) WeightInit.KaimingNormalFanOut(target, draws);
        else WeightInit.Normal001(target, draws);
    }

    private static readonly int[] A = [1, 1, 2, 2, 2], B = [2, 2, 2, 2, 2], D = [2, 2, 3, 3, 3], E = [2, 2, 4, 4, 4];

    /// <summary>VGG-11 (configuration A).</summary>
    public static Vgg Vgg11(ModelOptions options) => WithCard(new(A, false, options), "vgg11");

    /// <summary>VGG-13 (configuration B).</summary>
    public static Vgg Vgg13(ModelOptions options) => WithCard(new(B, false, options), "vgg13");

    /// <summary>VGG-16 (configuration D).</summary>
    public static Vgg Vgg16(ModelOptions options) => WithCard(new(D, false, options), "vgg16");

    /// <summary>VGG-19 (configuration E).</summary>
    public static Vgg Vgg19(ModelOptions options) => WithCard(new(E, false, options), "vgg19");

    /// <summary>VGG-11 with batch norm.</summary>
    public static Vgg Vgg11Bn(ModelOptions options) => WithCard(new(A, true, options), "vgg11_bn");

    /// <summary>VGG-13 with batch norm.</summary>
    public static Vgg Vgg13Bn(ModelOptions options) => WithCard(new(B, true, options), "vgg13_bn");

    /// <summary>VGG-16 with batch norm.</summary>
    public static Vgg Vgg16Bn(ModelOptions options) => WithCard(new(D, true, options), "vgg16_bn");

    /// <summary>VGG-19 with batch norm.</summary>
    public static Vgg Vgg19Bn(ModelOptions options) => WithCard(new(E, true, options), "vgg19_bn");

    private static Vgg WithCard(Vgg model, string name)
    {
        model.Card = Zoo.Card(name);
        return model;
    }

    /// <summary>What every VGG card shares: ImageNet input, classes and preprocessing, torchvision's layer names.</summary>
    private static ModelCard CardDefaults { get; } = new ModelCard("vgg", "vgg", "", "", (3, 224, 224), 0, 0, null, "", SmallInputPolicy.SmallStem)
    {
        DefaultClasses = 1000,
        // Under Auto an input under 32 skips the first max-pool (docs/models.md); the four pools left need 16.
        MinInputSize = 16,
        Preprocessing = Preprocessing.ImageNet,
        ClassifierName = "classifier.6",
        FirstConvName = "features.0",
    };

    private static int[] Config(int layers) => layers switch { 11 => A, 13 => B, 16 => D, 19 => E, _ => throw new ArgumentOutOfRangeException(nameof(layers)) };

    /// <summary>The activation before each max-pool of <c>features</c>: the stage outputs.</summary>
    private static string[] StageOutputs(int[] convsPerStage, bool batchNorm)
    {
        var nodes = new string[convsPerStage.Length];
        int index = -1;
        for (int stage = 0; stage < convsPerStage.Length; stage++)
        {
            index += convsPerStage[stage] * (batchNorm ? 3 : 2);
            nodes[stage] = "features." + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            index++; // the max-pool
        }
        return nodes;
    }

    /// <summary>
    /// Known weights: torchvision's IMAGENET1K_V1 (<c>tv_in1k</c>), from torchvision's models/vgg.py weights enums.
    /// (vgg16's IMAGENET1K_FEATURES is left out: its classifier is not trained and it expects other input scaling.)
    /// </summary>
    private static readonly WeightsInfo[] WeightsTable =
    [
        WeightsInfo.Torchvision("vgg11", "tv_in1k", "VGG11_Weights.IMAGENET1K_V1", "vgg11-8a719046.pth", 69.020, 88.628, isDefault: true),
        WeightsInfo.Torchvision("vgg13", "tv_in1k", "VGG13_Weights.IMAGENET1K_V1", "vgg13-19584684.pth", 69.928, 89.246, isDefault: true),
        WeightsInfo.Torchvision("vgg16", "tv_in1k", "VGG16_Weights.IMAGENET1K_V1", "vgg16-397923af.pth", 71.592, 90.382, isDefault: true),
        WeightsInfo.Torchvision("vgg19", "tv_in1k", "VGG19_Weights.IMAGENET1K_V1", "vgg19-dcbb9e9d.pth", 72.376, 90.876, isDefault: true),
        WeightsInfo.Torchvision("vgg11_bn", "tv_in1k", "VGG11_BN_Weights.IMAGENET1K_V1", "vgg11_bn-6002323d.pth", 70.370, 89.810, isDefault: true),
        WeightsInfo.Torchvision("vgg13_bn", "tv_in1k", "VGG13_BN_Weights.IMAGENET1K_V1", "vgg13_bn-abd245e5.pth", 71.586, 90.374, isDefault: true),
        WeightsInfo.Torchvision("vgg16_bn", "tv_in1k", "VGG16_BN_Weights.IMAGENET1K_V1", "vgg16_bn-6c64b313.pth", 73.360, 91.516, isDefault: true),
        WeightsInfo.Torchvision("vgg19_bn", "tv_in1k", "VGG19_BN_Weights.IMAGENET1K_V1", "vgg19_bn-c79401a0.pth", 74.218, 91.842, isDefault: true),
    ];

    /// <summary>The registry entries of the family.</summary>
    internal static IEnumerable<ZooEntry> Entries()
    {
        const string paper = "Simonyan, Zisserman: Very Deep Convolutional Networks for Large-Scale Image Recognition (ICLR 2015, arXiv:1409.1556)";
        const string source = "torchvision model docs, IMAGENET1K_V1 weights (acc@1 on ImageNet-1k val, 224x224 centre crop)";
        ZooEntry Entry(string name, int layers, bool bn, long parameters, long macs, double top1, Func<ModelOptions, Vgg> build, params string[] aliases) =>
            new(CardDefaults with { Name = name, Summary = $"VGG-{layers}{(bn ? " with batch norm" : "")}: stacks of 3x3 convolutions in five stages, three fully connected layers.",
                Paper = paper, Parameters = parameters, Macs = macs, ReferenceTop1 = top1, ReferenceSource = source,
                Weights = [.. WeightsTable.Where(w => w.Model == name)], FeatureNodes = StageOutputs(Config(layers), bn) }, o => build(o), aliases);
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
