using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Models;

/// <summary>
/// GoogLeNet / Inception v1 (Szegedy et al., 2014) with torchvision's layout and names: a conv stem
/// (<c>conv1</c> 7x7/2, <c>conv2</c> 1x1, <c>conv3</c> 3x3, each a <see cref="ConvBnAct"/> with batch norm), nine
/// <see cref="Inception"/> modules (3a-3b, 4a-4e, 5a-5b) separated by ceil-mode max-pools, global average
/// pooling, dropout (0.2 by default) and <c>fc</c>. With <see cref="GoogLeNetOptions.AuxLogits"/> two auxiliary
/// classifiers (<c>aux1</c> after 4a, <c>aux2</c> after 4d) produce extra logits in training mode; the trainer
/// weights their loss by <see cref="AuxiliaryLossWeight"/>. <see cref="GoogLeNetOptions.TrueInception5x5"/> gives
/// the paper's 5x5 kernels (then torchvision weights no longer fit those layers).
/// Small inputs: <see cref="SmallInputPolicy.Auto"/>/<see cref="SmallInputPolicy.Resize"/> keep torchvision's
/// stem, which runs from 28x28 (the ceil-mode pools never reach zero); <see cref="SmallInputPolicy.SmallStem"/>
/// makes <c>conv1</c> 3x3 stride 1 and drops the first two max-pools (28x28 stays 28x28 up to inception 3b).
/// Initialisation (<see cref="InitScheme.Default"/>): torchvision's truncated N(0, 0.01) for every conv and linear weight.
/// <see cref="ForwardFeatures"/> returns <c>inception5b</c>'s 1024-channel map; the head is <c>avgpool</c>, <c>dropout</c>, <c>fc</c>.
/// </summary>
public sealed class GoogLeNet : ZooModule, IAuxiliaryLogits
{
    private readonly ConvBnAct conv1;
    private readonly nn.Module<Tensor, Tensor> maxpool1;
    private readonly ConvBnAct conv2;
    private readonly ConvBnAct conv3;
    private readonly nn.Module<Tensor, Tensor> maxpool2;
    private readonly Inception inception3a;
    private readonly Inception inception3b;
    private readonly MaxPool2d maxpool3;
    private readonly Inception inception4a;
    private readonly Inception inception4b;
    private readonly Inception inception4c;
    private readonly Inception inception4d;
    private readonly Inception inception4e;
    private readonly MaxPool2d maxpool4;
    private readonly Inception inception5a;
    private readonly Inception inception5b;
    private readonly AuxiliaryClassifier? aux1;
    private readonly AuxiliaryClassifier? aux2;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Dropout dropout;
    private nn.Module<Tensor, Tensor> fc;
    private readonly long inChannels;
    private readonly LayerFactory factory;
    private readonly InitScheme init;

    /// <summary>Builds GoogLeNet.</summary>
    /// <param name="options">The zoo options (dropout defaults to 0.2; the auxiliary heads keep 0.7).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public GoogLeNet(ModelOptions options) : base(nameof(GoogLeNet), CardDefaults, ModelChecks.Resolved(options, CardDefaults))
    {
        ArgumentNullException.ThrowIfNull(options);
        var (classes, channels) = (Options.NumClasses!.Value, Options.InChannels!.Value);
        var f = factory = options.Layers ?? LayerFactory.Default;
        init = options.Init;
        const double eps = 1e-3;
        bool smallStem = options.SmallInput == SmallInputPolicy.SmallStem;
        var family = options.FamilyOr<GoogLeNetOptions>();
        bool t5 = family.TrueInception5x5;
        if (family.TransformInput && channels != 3) throw new ArgumentException($"TransformInput re-normalises RGB input and needs 3 input channels, not {channels}", nameof(options));
        TransformsInput = family.TransformInput;
        conv1 = smallStem
            ? new ConvBnAct(channels, 64, 3, stride: 1, padding: 1, bnEps: eps, layers: f)
            : new ConvBnAct(channels, 64, 7, stride: 2, padding: 3, bnEps: eps, layers: f);
        maxpool1 = smallStem ? nn.Identity() : nn.MaxPool2d(3, stride: 2, ceil_mode: true);
        conv2 = new ConvBnAct(64, 64, 1, bnEps: eps, layers: f);
        conv3 = new ConvBnAct(64, 192, 3, padding: 1, bnEps: eps, layers: f);
        maxpool2 = smallStem ? nn.Identity() : nn.MaxPool2d(3, stride: 2, ceil_mode: true);
        inception3a = new Inception(192, 64, 96, 128, 16, 32, 32, t5, f);
        inception3b = new Inception(256, 128, 128, 192, 32, 96, 64, t5, f);
        maxpool3 = nn.MaxPool2d(3, stride: 2, ceil_mode: true);
        inception4a = new Inception(480, 192, 96, 208, 16, 48, 64, t5, f);
        inception4b = new Inception(512, 160, 112, 224, 24, 64, 64, t5, f);
        inception4c = new Inception(512, 128, 128, 256, 24, 64, 64, t5, f);
        inception4d = new Inception(512, 112, 144, 288, 32, 64, 64, t5, f);
        inception4e = new Inception(528, 256, 160, 320, 32, 128, 128, t5, f);
        maxpool4 = nn.MaxPool2d(2, stride: 2, ceil_mode: true);
        inception5a = new Inception(832, 256, 160, 320, 32, 128, 128, t5, f);
        inception5b = new Inception(832, 384, 192, 384, 48, 128, 128, t5, f);
        if (family.AuxLogits)
        {
            aux1 = new AuxiliaryClassifier(512, classes, f);
            aux2 = new AuxiliaryClassifier(528, classes, f);
        }
        avgpool = nn.AdaptiveAvgPool2d(1);
        dropout = nn.Dropout(options.Dropout ?? 0.2);
        fc = f.Linear(new LinearSpec(1024, classes));
        inChannels = channels;
        _numClasses = classes;
        this.RegisterInOrder(("conv1", conv1), ("maxpool1", maxpool1), ("conv2", conv2), ("conv3", conv3), ("maxpool2", maxpool2), ("inception3a", inception3a), ("inception3b", inception3b), ("maxpool3", maxpool3), ("inception4a", inception4a), ("inception4b", inception4b), ("inception4c", inception4c), ("inception4d", inception4d), ("inception4e", inception4e), ("maxpool4", maxpool4), ("inception5a", inception5a), ("inception5b", inception5b), ("aux1", aux1), ("aux2", aux2), ("avgpool", avgpool), ("dropout", dropout), ("fc", fc));
        WeightInit.Apply(this, options.Init, options.Seed, TorchvisionInit);
    }

    /// <inheritdoc/>
    public override int NumClasses => _numClasses;

    private int _numClasses;

    /// <summary>Whether the forward pass starts with torchvision's <c>transform_input</c> (<see cref="GoogLeNetOptions.TransformInput"/>).</summary>
    public bool TransformsInput { get; }

    /// <summary>
    /// The per-channel affine map of <see cref="GoogLeNetOptions.TransformInput"/>, <c>x * Scale[c] + Shift[c]</c>: from
    /// ImageNet normalisation (mean 0.485/0.456/0.406, std 0.229/0.224/0.225) to <c>(x - 0.5) / 0.5</c>.
    /// </summary>
    public static (float[] Scale, float[] Shift) InputTransform { get; } = (
        [(float)(0.229 / 0.5), (float)(0.224 / 0.5), (float)(0.225 / 0.5)],
        [(float)((0.485 - 0.5) / 0.5), (float)((0.456 - 0.5) / 0.5), (float)((0.406 - 0.5) / 0.5)]);

    /// <inheritdoc/>
    public override long NumFeatures => 1024;

    /// <inheritdoc/>
    public bool HasAuxiliaryLogits => aux1 is not null;

    /// <inheritdoc/>
    public double AuxiliaryLossWeight => 0.3;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ForwardHead(Features(input, null));

    /// <inheritdoc/>
    public override Tensor ForwardFeatures(Tensor input) => Features(input, null);

    /// <inheritdoc/>
    public override Tensor ForwardHead(Tensor features)
    {
        var x = torch.flatten(avgpool.call(features), 1);
        return fc.call(dropout.call(x));
    }

    /// <inheritdoc/>
    public override void ResetClassifier(int numClasses)
    {
        ModelChecks.CheckClasses(numClasses);
        var fresh = ModelChecks.FreshClassifier(factory, NumFeatures, numClasses, fc, init, TorchvisionInit);
        ModelChecks.ReplaceLastChild(this, "fc", fresh);
        fc = fresh;
        aux1?.ResetClassifier(numClasses, m => ModelChecks.FreshClassifier(factory, 1024, numClasses, m, init, TorchvisionInit));
        aux2?.ResetClassifier(numClasses, m => ModelChecks.FreshClassifier(factory, 1024, numClasses, m, init, TorchvisionInit));
        _numClasses = numClasses;
        Options = Options with { NumClasses = numClasses };
    }

    /// <summary>
    /// torchvision's GoogLeNet init: truncated N(0, 0.01) cut at +-2 for conv and linear weights. Drawn as normal + clamp:
    /// the cut is 200 std away, so nothing is ever clipped; TorchSharp's trunc_normal_ (inverse-CDF) can return +-inf for
    /// a uniform draw of exactly +-1, which occasionally poisoned a whole GoogLeNet with NaN. Biases (only with custom
    /// layers or no batch norm) get U(+-1/sqrt(fan_in)).
    /// </summary>
    private static void TorchvisionInit(InitTarget target, InitDraws draws)
    {
        draws.Normal(target.Weight, 0.01);
        target.Weight.clamp_(-2.0, 2.0);
        if (target.Bias is not null) draws.Uniform(target.Bias, 1.0 / Math.Sqrt(target.FanIn));
    }

    /// <inheritdoc/>
    public (Tensor Logits, Tensor[] Auxiliary) ForwardWithAuxiliary(Tensor input)
    {
        var aux = new List<Tensor>(2);
        var logits = ForwardHead(Features(input, training && aux1 is not null ? aux : null));
        return (logits, aux.ToArray());
    }

    private Tensor Features(Tensor input, List<Tensor>? aux)
    {
        ModelChecks.CheckInput(input, inChannels, 1, "googlenet");
        if (TransformsInput)
        {
            using var scale = torch.tensor(InputTransform.Scale, [1, 3, 1, 1], dtype: input.dtype, device: input.device);
            using var shift = torch.tensor(InputTransform.Shift, [1, 3, 1, 1], dtype: input.dtype, device: input.device);
            input = input.mul(scale).add(shift);
        }
        var x = maxpool1.call(conv1.call(input));
        x = maxpool2.call(conv3.call(conv2.call(x)));
        x = maxpool3.call(inception3b.call(inception3a.call(x)));
        x = inception4a.call(x);
        if (aux is not null) aux.Add(aux1!.call(x));
        x = inception4d.call(inception4c.call(inception4b.call(x)));
        if (aux is not null) aux.Add(aux2!.call(x));
        x = maxpool4.call(inception4e.call(x));
        return inception5b.call(inception5a.call(x));
    }

    /// <summary>GoogLeNet with the given options.</summary>
    public static GoogLeNet Create(ModelOptions options) => new(options);

    /// <summary>The model card.</summary>
    private static ModelCard CardDefaults { get; } = new ModelCard("googlenet", "googlenet",
        "GoogLeNet (Inception v1): conv stem, nine Inception modules, global average pool; optional auxiliary classifiers (loss weight 0.3).",
        "Szegedy et al.: Going Deeper with Convolutions (CVPR 2015, arXiv:1409.4842)",
        (3, 224, 224), 6_624_904, 1_498_376_192, 69.778,
        "torchvision model docs, IMAGENET1K_V1 weights (acc@1 on ImageNet-1k val, 224x224 centre crop)",
        SmallInputPolicy.Resize)
    {
        DefaultClasses = 1000,
        // torchvision's stem and ceil-mode pools: 14x14 reaches maxpool3 at 1x1, which its 3x3 window cannot pool.
        MinInputSize = 15,
        Preprocessing = Preprocessing.ImageNet,
        ClassifierName = "fc",
        FirstConvName = "conv1.conv",
        FeatureNodes = ["conv1", "conv3", "inception3b", "inception4e", "inception5b"],
        ExtraHeadNames = ["aux1.fc2", "aux2.fc2"],
        // Known weights: torchvision's IMAGENET1K_V1 (models/googlenet.py), ported from the paper's. torchvision builds the
        // model for them with transform_input=True, so loading them by name sets GoogLeNetOptions.TransformInput (docs/weights.md).
        Weights = [WeightsInfo.Torchvision("googlenet", "tv_in1k", "GoogLeNet_Weights.IMAGENET1K_V1", "googlenet-1378be20.pth", 69.778, 89.530, isDefault: true) with { TransformInput = true }],
    };

    /// <summary>The registry entry of the family.</summary>
    internal static IEnumerable<ZooEntry> Entries()
    {
        yield return new ZooEntry(CardDefaults, o => new GoogLeNet(o), ["inception", "inception_v1"]);
    }
}
