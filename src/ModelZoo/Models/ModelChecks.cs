using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Models;

/// <summary>Option and input checks, and head surgery, shared by the families.</summary>
internal static class ModelChecks
{
    /// <summary>
    /// Validates <paramref name="options"/> for a family whose card is <paramref name="card"/> (family options must be
    /// the family's own) and returns them with unset classes and input channels taken from the card: what a family
    /// module records as its <see cref="ZooModule.Options"/>.
    /// </summary>
    public static ModelOptions Resolved(ModelOptions options, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(card);
        CheckFamily(options, card.Family, card.Name);
        var (classes, channels) = Validate(options, card);
        return options with { NumClasses = classes, InChannels = channels };
    }

    /// <summary>Throws unless <paramref name="options"/>' family options (if any) belong to <paramref name="family"/>.</summary>
    public static void CheckFamily(ModelOptions options, string family, string model)
    {
        if (options.Family is { } f && !string.Equals(f.FamilyName, family, StringComparison.Ordinal))
            throw new ArgumentException($"{f.DisplayName} options do not apply to {model} (family {family})", nameof(options));
    }

    /// <summary>Validates the options; returns classes and input channels with unset values taken from the family's card.</summary>
    public static (int Classes, int Channels) Validate(ModelOptions options, ModelCard card)
    {
        int classes = options.NumClasses ?? card.DefaultClasses;
        int channels = options.InChannels ?? card.DefaultInput.Channels;
        if (classes < 1) throw new ArgumentException($"NumClasses must be at least 1, got {classes}", nameof(options));
        if (channels < 1) throw new ArgumentException($"InChannels must be at least 1, got {channels}", nameof(options));
        if (options.Dropout is < 0 or >= 1) throw new ArgumentException($"Dropout must be in [0, 1), got {options.Dropout}", nameof(options));
        if (!Enum.IsDefined(options.Init)) throw new ArgumentException($"unknown init scheme {options.Init}", nameof(options));
        if (!Enum.IsDefined(options.SmallInput)) throw new ArgumentException($"unknown small-input policy {options.SmallInput}", nameof(options));
        return (classes, channels);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless the input is N x C x H x W with the model's channels and H, W at least <paramref name="minSize"/>.</summary>
    public static void CheckInput(Tensor input, long channels, long minSize, string model)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"{model} expects a 4-d batch N x C x H x W, got shape [{string.Join(", ", input.shape)}]", nameof(input));
        if (input.shape[1] != channels)
            throw new ArgumentException($"{model} was built for {channels} input channel(s), got {input.shape[1]} (shape [{string.Join(", ", input.shape)}])", nameof(input));
        if (input.shape[2] < minSize || input.shape[3] < minSize)
            throw new ArgumentException($"{model} needs inputs of at least {minSize}x{minSize}, got {input.shape[2]}x{input.shape[3]}; resize the images or build the model with SmallInputPolicy.Auto or SmallStem", nameof(input));
    }

    /// <summary>Throws unless a classifier width is positive.</summary>
    public static void CheckClasses(int numClasses)
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "numClasses must be at least 1");
    }

    /// <summary>
    /// A fresh final layer for <see cref="IZooModel.ResetClassifier"/>: built by the factory, initialised with the
    /// family's default, and moved to the device and dtype of the layer it replaces.
    /// </summary>
    public static nn.Module<Tensor, Tensor> FreshClassifier(Blocks.LayerFactory layers, long inFeatures, int numClasses, nn.Module old, InitScheme init, Blocks.DefaultInit familyDefault)
    {
        var fresh = layers.Linear(new Blocks.LinearSpec(inFeatures, numClasses));
        Blocks.WeightInit.Apply(fresh, init, null, familyDefault);
        var like = old.parameters().FirstOrDefault();
        if (like is not null) fresh.to(like.dtype).to(like.device);
        return fresh;
    }

    /// <summary>
    /// Swaps the child <paramref name="name"/> of <paramref name="parent"/> for <paramref name="replacement"/>. The child
    /// must be the parent's last registered child (true of every zoo classifier), so the registration order, and with
    /// it the state-dict order, stays the same.
    /// </summary>
    public static void ReplaceLastChild(nn.Module parent, string name, nn.Module replacement)
    {
        var last = parent.named_children().Last().name;
        if (last != name) throw new InvalidOperationException($"{name} is not the last child of {parent.GetName()} ({last} is)");
        parent.register_module(name, null!);
        parent.register_module(name, replacement);
    }

    /// <summary>A copy of <paramref name="sequence"/> (same child modules) with the child <paramref name="key"/> swapped for <paramref name="replacement"/>.</summary>
    public static Sequential WithChild(Sequential sequence, string key, nn.Module<Tensor, Tensor> replacement) =>
        nn.Sequential(sequence.named_children()
            .Select(c => (c.name, c.name == key ? replacement : (nn.Module<Tensor, Tensor>)c.module))
            .ToArray());
}
