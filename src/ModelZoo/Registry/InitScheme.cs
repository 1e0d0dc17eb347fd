namespace ModelZoo;

/// <summary>Weight-initialisation scheme for conv and linear layers.</summary>
public enum InitScheme
{
    /// <summary>What torchvision does for the family (the default).</summary>
    Default,

    /// <summary>Gaussian with standard deviation 0.01 (the "too small" baseline).</summary>
    Normal,

    /// <summary>Xavier/Glorot: std = sqrt(2 / (fan_in + fan_out)); suited to tanh/sigmoid.</summary>
    Xavier,

    /// <summary>He/Kaiming: std = sqrt(2 / fan_in); suited to ReLU.</summary>
    He,
}
