using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Models;

/// <summary>
/// ResNet (He et al., 2015) with torchvision's layout and parameter names: a 7x7 stride-2 stem and 3x3
/// max-pool, four stages of <see cref="BasicBlock"/> or <see cref="Bottleneck"/> (64/128/256/512 planes,
/// stride 2 from stage 2 on, carried by the 3x3 convolution), global average pooling and one linear layer.
/// Small inputs: with <see cref="SmallInputPolicy.Auto"/> or <see cref="SmallInputPolicy.Resize"/> the
/// torchvision stem is kept (it works from 28x28: the adaptive average pool absorbs any size);
/// <see cref="SmallInputPolicy.SmallStem"/> swaps in a 3x3 stride-1 <c>conv1</c> and drops the stem max-pool
/// (CIFAR-style; same keys, <c>conv1.weight</c> becomes 64xCx3x3).
/// Initialisation (<see cref="InitScheme.Default"/>): torchvision's, kaiming-normal fan-out convolutions and PyTorch's
/// default for <c>fc</c>; <see cref="ResNetOptions.ZeroInitResidual"/> zeros each block's last norm weight.
/// <see cref="ForwardFeatures"/> returns <c>layer4</c>'s map; the head is <c>avgpool</c>, dropout and <c>fc</c>.
/// </summary>
public sealed class ResNet : ZooModule
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> relu;
    private readonly nn.Module<Tensor, Tensor> maxpool;
    private readonly nn.Module<Tensor, Tensor> layer1;
    private readonly nn.Module<Tensor, Tensor> layer2;
    private readonly nn.Module<Tensor, Tensor> layer3;
    private readonly nn.Module<Tensor, Tensor> layer4;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly nn.Module<Tensor, Tensor>? dropout;
    private nn.Module<Tensor, Tensor> fc;
    private readonly long inChannels;
    private readonly LayerFactory factory;
    private readonly InitScheme init;

    /// <summary>Builds a ResNet.</summary>
    /// <param name="bottleneck">Use <see cref="Bottleneck"/> blocks (ResNet-50 and deeper) instead of <see cref="BasicBlock"/>.</param>
    /// <param name="layers">Blocks per stage (four numbers, e.g. 2,2,2,2 for ResNet-18).</param>
    /// <param name="options">The zoo options.</param>
    /// <exception cref="ArgumentException">The layer counts or options are invalid.</exception>
    public ResNet(bool bottleneck, IReadOnlyList<int> layers, ModelOptions options) : base(nameof(ResNet), CardDefaults, ModelChecks.Resolved(options, CardDefaults))
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(options);
        if (layers.Count != 4 || layers.Any(n => n < 1))
            throw new ArgumentException($"ResNet needs four positive block counts, got [{string.Join(", ", layers)}]", nameof(layers));
        var (classes, channels) = (Options.NumClasses!.Value, Options.InChannels!.Value);
        factory = options.Layers ?? LayerFactory.Default;
        init = options.Init;
        inChannels = channels;
        bool smallStem = options.SmallInput == SmallInputPolicy.SmallStem;
        conv1 = smallStem
            ? factory.Conv(new ConvSpec(channels, 64, 3, 1, 1, Bias: false))
            : factory.Conv(new ConvSpec(channels, 64, 7, 2, 3, Bias: false));
        bn1 = factory.Norm(new NormSpec(64));
        relu = factory.Activation();
        maxpool = smallStem ? nn.Identity() : nn.MaxPool2d(3, stride: 2, padding: 1);
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        long width = 64;
        var residualBlocks = new List<nn.Module<Tensor, Tensor>>();
        nn.Module<Tensor, Tensor> Stage(long planes, int blocks, long stride)
        {
            var list = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int i = 0; i < blocks; i++)
            {
                long s = i == 0 ? stride : 1;
                nn.Module<Tensor, Tensor> block = bottleneck ? new Bottleneck(width, planes, s, factory) : new BasicBlock(width, planes, s, factory);
                list.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), block));
                residualBlocks.Add(block);
                width = planes * expansion;
            }
            return nn.Sequential(list.ToArray());
        }
        layer1 = Stage(64, layers[0], 1);
        layer2 = Stage(128, layers[1], 2);
        layer3 = Stage(256, layers[2], 2);
        layer4 = Stage(512, layers[3], 2);
        avgpool = nn.AdaptiveAvgPool2d(1);
        dropout = options.Dropout is > 0 ? nn.Dropout(options.Dropout.Value) : null;
        NumFeatures = 512 * expansion;
        _numClasses = classes;
        fc = factory.Linear(new LinearSpec(NumFeatures, classes));
        this.RegisterInOrder(("conv1", conv1), ("bn1", bn1), ("relu", relu), ("maxpool", maxpool), ("layer1", layer1), ("layer2", layer2), ("layer3", layer3), ("layer4", layer4), ("avgpool", avgpool), ("dropout", dropout), ("fc", fc));
        WeightInit.Apply(this, options.Init, options.Seed, TorchvisionInit);
        if (options.FamilyOr<ResNetOptions>().ZeroInitResidual)
        {
            foreach (var block in residualBlocks)
            {
                if (block is BasicBlock basic) basic.ZeroInitResidual();
                else ((Bottleneck)block).ZeroInitResidual();
            }
        }
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
        ModelChecks.CheckInput(input, inChannels, 1, "resnet");
        var x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
        return layer4.call(layer3.call(layer2.call(layer1.call(x))));
    }

    /// <inheritdoc/>
    public override Tensor ForwardHead(Tensor features)
    {
        var x = torch.flatten(avgpool.call(features), 1);
        if (dropout is not null) x = dropout.call(x);
        return fc.call(x);
    }

    /// <inheritdoc/>
    public override void ResetClassifier(int numClasses)
    {
        ModelChecks.CheckClasses(numClasses);
        var fresh = ModelChecks.FreshClassifier(factory, NumFeatures, numClasses, fc, init, TorchvisionInit);
        ModelChecks.ReplaceLastChild(this, "fc", fresh);
        fc = fresh;
        _numClasses = numClasses;
        Options = Options with { NumClasses = numClasses };
    }

    /// <summary>torchvision's ResNet init: kaiming-normal (fan-out, ReLU) convolutions; <c>fc</c> keeps PyTorch's Linear default.</summary>
    private static void TorchvisionInit(InitTarget target, InitDraws draws)
    {
        if (target.Role == LayerRole.Conv) WeightInit.KaimingNormalFanOut(target, draws);
        else WeightInit.TorchLinearDefault(target, draws);
    }

    /// <summary>ResNet-18 (basic blocks 2-2-2-2).</summary>
    public static ResNet ResNet18(ModelOptions options) => WithCard(new(false, [2, 2, 2, 2], options), "resnet18");

    /// <summary>ResNet-34 (basic blocks 3-4-6-3).</summary>
    public static ResNet ResNet34(ModelOptions options) => WithCard(new(false, [3, 4, 6, 3], options), "resnet34");

    /// <summary>ResNet-50 (bottlenecks 3-4-6-3).</summary>
    public static ResNet ResNet50(ModelOptions options) => WithCard(new(true, [3, 4, 6, 3], options), "resnet50");

    /// <summary>ResNet-101 (bottlenecks 3-4-23-3).</summary>
    public static ResNet ResNet101(ModelOptions options) => WithCard(new(true, [3, 4, 23, 3], options), "resnet101");

    /// <summary>ResNet-152 (bottlenecks 3-8-36-3).</summary>
    public static ResNet ResNet152(ModelOptions options) => WithCard(new(true, [3, 8, 36, 3], options), "resnet152");

    private static ResNet WithCard(ResNet model, string name)
    {
        model.Card = VariantCard(name);
        return model;
    }

    /// <summary>What every ResNet card shares: ImageNet input, classes and preprocessing, torchvision's layer names.</summary>
    private static ModelCard CardDefaults { get; } = new ModelCard("resnet", "resnet", "", "", (3, 224, 224), 0, 0, null, "", SmallInputPolicy.Resize)
    {
        DefaultClasses = 1000,
        // Every downsampling layer is padded and the head pools adaptively: even 1x1 runs (uselessly small, but it runs).
        MinInputSize = 1,
        Preprocessing = Preprocessing.ImageNet,
        ClassifierName = "fc",
        FirstConvName = "conv1",
        FeatureNodes = ["relu", "layer1", "layer2", "layer3", "layer4"],
    };

    /// <summary>
    /// Known weights: torchvision's IMAGENET1K_V1 (<c>tv_in1k</c>) and, for ResNet-50/101/152, IMAGENET1K_V2
    /// (<c>tv2_in1k</c>, torchvision's default), and timm's ResNet Strikes Back A1 (<c>a1_in1k</c>), whose state dicts use
    /// torchvision's names. URLs, hash prefixes, accuracies and preprocessing: torchvision's models/resnet.py weights
    /// enums and timm's models/resnet.py pretrained configs and results-imagenet.csv.
    /// </summary>
    private static readonly WeightsInfo[] WeightsTable =
    [
        WeightsInfo.Torchvision("resnet18", "tv_in1k", "ResNet18_Weights.IMAGENET1K_V1", "resnet18-f37072fd.pth", 69.758, 89.078, isDefault: true),
        WeightsInfo.Torchvision("resnet34", "tv_in1k", "ResNet34_Weights.IMAGENET1K_V1", "resnet34-b627a593.pth", 73.314, 91.420, isDefault: true),
        WeightsInfo.Torchvision("resnet50", "tv_in1k", "ResNet50_Weights.IMAGENET1K_V1", "resnet50-0676ba61.pth", 76.130, 92.862),
        WeightsInfo.Torchvision("resnet50", "tv2_in1k", "ResNet50_Weights.IMAGENET1K_V2", "resnet50-11ad3fa6.pth", 80.858, 95.434, resize: 232, isDefault: true),
        WeightsInfo.Torchvision("resnet101", "tv_in1k", "ResNet101_Weights.IMAGENET1K_V1", "resnet101-63fe2227.pth", 77.374, 93.546),
        WeightsInfo.Torchvision("resnet101", "tv2_in1k", "ResNet101_Weights.IMAGENET1K_V2", "resnet101-cd907fc2.pth", 81.886, 95.780, resize: 232, isDefault: true),
        WeightsInfo.Torchvision("resnet152", "tv_in1k", "ResNet152_Weights.IMAGENET1K_V1", "resnet152-394f9c45.pth", 78.312, 94.046),
        WeightsInfo.Torchvision("resnet152", "tv2_in1k", "ResNet152_Weights.IMAGENET1K_V2", "resnet152-f82ba261.pth", 82.284, 96.002, resize: 232, isDefault: true),
        WeightsInfo.TimmResNetStrikesBack("resnet18", "a1_in1k", RsbRelease + "resnet18_a1_0-d63eafa0.pth", 73.158, 91.026),
        WeightsInfo.TimmResNetStrikesBack("resnet34", "a1_in1k", RsbRelease + "resnet34_a1_0-46f8f793.pth", 77.918, 93.766),
        WeightsInfo.TimmResNetStrikesBack("resnet50", "a1_in1k", RsbRelease + "resnet50_a1_0-14fe96d1.pth", 81.214, 95.102),
        WeightsInfo.TimmResNetStrikesBack("resnet101", "a1_in1k", RsbRelease + "resnet101_a1_0-cdcb52a9.pth", 82.322, 95.632),
        WeightsInfo.TimmResNetStrikesBack("resnet152", "a1_in1k", RsbRelease + "resnet152_a1_0-2eee8a7a.pth", 82.732, 95.720),
    ];

    /// <summary>timm's "v0.1-rsb-weights" GitHub release (ResNet Strikes Back).</summary>
    private const string RsbRelease = "https://github.com/huggingface/pytorch-image-models/releases/download/v0.1-rsb-weights/";

    /// <summary>The card of a ResNet variant (<c>resnet18</c> ... <c>resnet152</c>); derived families start from it.</summary>
    internal static ModelCard VariantCard(string name) => Variants[name].Card;

    private static readonly Dictionary<string, (ModelCard Card, Func<ModelOptions, ResNet> Build, string[] Aliases)> Variants = BuildVariants();

    private static Dictionary<string, (ModelCard, Func<ModelOptions, ResNet>, string[])> BuildVariants()
    {
        const string paper = "He, Zhang, Ren, Sun: Deep Residual Learning for Image Recognition (CVPR 2016, arXiv:1512.03385)";
        const string source = "torchvision model docs, IMAGENET1K_V1 weights (acc@1 on ImageNet-1k val, 224x224 centre crop)";
        var variants = new Dictionary<string, (ModelCard, Func<ModelOptions, ResNet>, string[])>(StringComparer.Ordinal);
        void Add(string name, string blocks, long parameters, long macs, double top1, Func<ModelOptions, ResNet> build, params string[] aliases) =>
            variants[name] = (CardDefaults with { Name = name, Summary = $"ResNet with {blocks}; 7x7 stem, four residual stages, global average pool, one linear layer.",
                Paper = paper, Parameters = parameters, Macs = macs, ReferenceTop1 = top1, ReferenceSource = source,
                Weights = [.. WeightsTable.Where(w => w.Model == name)] }, build, aliases);
        Add("resnet18", "basic blocks 2-2-2-2", 11_689_512, 1_814_073_344, 69.758, ResNet18, "resnet");
        Add("resnet34", "basic blocks 3-4-6-3", 21_797_672, 3_663_761_408, 73.314, ResNet34);
        Add("resnet50", "bottleneck blocks 3-4-6-3", 25_557_032, 4_089_184_256, 76.130, ResNet50);
        Add("resnet101", "bottleneck blocks 3-4-23-3", 44_549_160, 7_801_405_440, 77.374, ResNet101);
        Add("resnet152", "bottleneck blocks 3-8-36-3", 60_192_808, 11_513_626_624, 78.312, ResNet152);
        return variants;
    }

    /// <summary>The registry entries of the family.</summary>
    internal static IEnumerable<ZooEntry> Entries() =>
        Variants.Values.Select(v => new ZooEntry(v.Card, o => v.Build(o), v.Aliases));
}
