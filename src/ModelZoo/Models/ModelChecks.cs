using static TorchSharp.torch;

namespace ModelZoo.Models;

/// <summary>Option and input checks shared by the families.</summary>
internal static class ModelChecks
{
    public static void Validate(ModelOptions options)
    {
        if (options.NumClasses < 1) throw new ArgumentException($"NumClasses must be at least 1, got {options.NumClasses}", nameof(options));
        if (options.InChannels < 1) throw new ArgumentException($"InChannels must be at least 1, got {options.InChannels}", nameof(options));
        if (options.Dropout is < 0 or >= 1) throw new ArgumentException($"Dropout must be in [0, 1), got {options.Dropout}", nameof(options));
        if (!Enum.IsDefined(options.Init)) throw new ArgumentException($"unknown init scheme {options.Init}", nameof(options));
        if (!Enum.IsDefined(options.SmallInput)) throw new ArgumentException($"unknown small-input policy {options.SmallInput}", nameof(options));
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
}
