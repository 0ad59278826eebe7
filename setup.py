"Packaging for musiclab: every value comes from settings.ini, the file nbdev also reads."
from configparser import ConfigParser
from pathlib import Path
import shutil
import setuptools
from setuptools.command.build_py import build_py

here = Path(__file__).parent
config = ConfigParser(delimiters=['='])
config.read(here/'settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

expected = 'version description keywords author author_email license status min_python audience language'.split()
missing = [o for o in expected if o not in cfg]
assert not missing, f'settings.ini is missing: {missing}'

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
lic = licenses[cfg['license']]
min_python = cfg['min_python']
py_versions = ['3.11', '3.12', '3.13']

requirements = cfg.get('requirements', '').split()
dev_requirements = cfg.get('dev_requirements', '').split()
lab_requirements = cfg.get('lab_requirements', '').split()
scripts = [o.strip() for o in cfg.get('console_scripts', '').split('\n') if o.strip()]

class BuildWithLessons(build_py):
    "Also put the lesson notebooks, and the kept results they read, into the package (musiclab/lessons/): `musiclab lessons` copies them from there"
    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False): return   # an editable install reads them from the checkout's nbs/
        dest = Path(self.build_lib)/cfg['lib_path']/'lessons'
        if dest.exists(): shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for nb in sorted((here/cfg['nbs_path']).glob('*.ipynb')): shutil.copy2(nb, dest/nb.name)
        shutil.copytree(here/cfg['nbs_path']/'results', dest/'kept'/'nbs'/'results')
        (dest/'kept'/'bench').mkdir(parents=True)
        shutil.copy2(here/'bench'/'latest.json', dest/'kept'/'bench'/'latest.json')

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=(here/'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    url=cfg['git_url'],
    author=cfg['author'],
    author_email=cfg['author_email'],
    license=lic[0],
    keywords=cfg['keywords'].split(),
    classifiers=[
        'Development Status :: ' + statuses[int(cfg['status'])],
        'Intended Audience :: ' + cfg['audience'].title(),
        'Natural Language :: ' + cfg['language'].title(),
        'License :: ' + lic[1],
        'Topic :: Multimedia :: Sound/Audio',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ] + ['Programming Language :: Python :: ' + o for o in py_versions if o >= min_python],
    packages=setuptools.find_packages(include=[cfg['lib_path'], cfg['lib_path'] + '.*']),
    include_package_data=True,
    package_data={cfg['lib_path']: ['assets/*', 'assets/**/*']},
    install_requires=requirements,
    extras_require={'dev': dev_requirements, 'lab': lab_requirements},
    cmdclass={'build_py': BuildWithLessons},
    python_requires='>=' + min_python,
    entry_points={'console_scripts': scripts, 'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    zip_safe=False,
)
