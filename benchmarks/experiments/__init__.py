"""One module per experiment; `EXPERIMENTS` maps --experiment to its
function."""

from experiments import (cgan_recipe, common, cyclegan,  # noqa: F401
                         cyclegan_defaults, ema_ramp, fig8, fig9, fig10,
                         fig12_13, low_data, manifold, r3gan_race, table1,
                         toy, truncation)

EXPERIMENTS = {
    "fig8": fig8.fig8,
    "ema": ema_ramp.ema,
    "dcgan_screen": ema_ramp.dcgan_screen,
    "ema_noise": ema_ramp.ema_noise,
    "screen_cost": ema_ramp.screen_cost,
    "cgan_recipe": cgan_recipe.cgan_recipe,
    "fig9": fig9.fig9,
    "fig10": fig10.fig10,
    "low_data": low_data.low_data,
    "manifold": manifold.manifold,
    "fig12_13": fig12_13.fig12_13,
    "pix2pix_inference": fig12_13.pix2pix_inference,
    "cyclegan": cyclegan.cyclegan,
    "cyclegan_defaults": cyclegan_defaults.cyclegan_defaults,
    "cyclegan_defaults_step_cost":
        cyclegan_defaults.cyclegan_defaults_step_cost,
    "table1": table1.table1,
    "toy": toy.toy,
    "truncation": truncation.truncation,
    "r3gan_race": r3gan_race.r3gan_race,
    "r3gan_step_cost": r3gan_race.r3gan_step_cost,
}
